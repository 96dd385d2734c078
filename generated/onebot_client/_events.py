# Copied from templates/runtime/_events.py by `onebot-gen build`. Do not edit: change it there.
"""Events: their kind told from the spec's table, handed to the handlers registered for them.

The generated ``events`` module holds the table (``SELECTOR``) and one registration method per
event kind; this module is what those methods and the transports share.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from . import cq

if TYPE_CHECKING:
    import asyncio

    from .models import Event

H = TypeVar("H", bound=Callable[..., Any])
T = TypeVar("T")

#: Events kept for ``events()`` by each transport and server; when full, the oldest is dropped
#: (the readers never block, so replies keep flowing even when nobody reads events).
EVENT_BUFFER = 10_000

#: What ``UnknownEvent`` carries as its post_type, and the name its handlers are kept under.
UNKNOWN = "unknown"
UNKNOWN_KIND = "UnknownEvent"
#: The name the handlers of every event are kept under.
ANY_KIND = "Event"

#: A node of the generated table: a kind's class name; ``(key, {value: node})``, chosen by the
#: string value of ``key``; or ``(field, kind if the field is present, node otherwise)``.
Selector = Any


class Overflow:
    """Counts the events dropped from a full buffer of ``EVENT_BUFFER``; warns at the first."""

    def __init__(self) -> None:
        self.dropped = 0

    def drop(self, log: Any) -> None:
        self.dropped += 1
        if self.dropped == 1:
            log.warning(
                "onebot_client: %d events are waiting; dropping the oldest (read events())",
                EVENT_BUFFER,
            )


def put_newest(queue: asyncio.Queue[T], item: T, overflow: Overflow, log: Any) -> None:
    """Put ``item`` in an asyncio queue, dropping the oldest items while it is full (the
    writer never waits, so replies keep flowing when nobody reads events)."""
    while queue.full():
        queue.get_nowait()
        overflow.drop(log)
    queue.put_nowait(item)


def kind_of(selector: Selector, frame: Mapping[str, Any]) -> str | None:
    """The class name of the event's kind, or None when the table has none for it."""
    node = selector
    while node is not None and not isinstance(node, str):
        if len(node) == 3:
            field, present, otherwise = node
            node = present if field in frame else otherwise
        else:
            key, choices = node
            value = frame.get(key)
            node = choices.get(value) if isinstance(value, str) else None
    return node


def parse(selector: Selector, frame: object) -> Event | None:
    """The frame as a typed event: itself when the table knows its kind, wrapped in an
    ``UnknownEvent`` when it does not; None when it is not an event at all (no post_type)."""
    if not isinstance(frame, dict) or not isinstance(frame.get("post_type"), str):
        return None
    if kind_of(selector, frame) is None:
        return cast("Event", {"post_type": UNKNOWN, "event": frame})
    message = frame.get("message")
    # A server set to post messages as CQ-code strings (a notice's "message" is plain text).
    if isinstance(message, str) and frame["post_type"] in ("message", "message_sent"):
        frame["message"] = cq.parse(message)
    return cast("Event", frame)


class _Router:
    """Handlers by the kind they were registered for (a class name, a group's union name,
    ``Event`` for all); the generated subclasses add one typed registration method per kind."""

    #: Set by the generated subclasses: the table, and each kind's group (union) name.
    _selector: Selector = None
    _groups: Mapping[str, str] = {}

    def __init__(self) -> None:
        self._handlers: dict[str, list[Callable[..., Any]]] = {}
        self._of_kind: dict[str, list[Callable[..., Any]]] = {}  # _chosen's, by event kind

    def _add(self, kind: str, handler: H) -> H:
        self._handlers.setdefault(kind, []).append(handler)
        self._of_kind.clear()
        return handler

    def _chosen(self, event: Mapping[str, Any]) -> list[Callable[..., Any]]:
        """The handlers of the event: those of its kind, of its group, then of every event."""
        if event.get("post_type") == UNKNOWN:
            kind = UNKNOWN_KIND
        else:
            kind = kind_of(self._selector, event) or UNKNOWN_KIND
        chosen = self._of_kind.get(kind)
        if chosen is None:
            kinds = [kind, self._groups.get(kind, ""), ANY_KIND]
            chosen = self._of_kind[kind] = [h for k in kinds for h in self._handlers.get(k, ())]
        return chosen


def _merged(operation: dict[str, Any] | None, result: object) -> dict[str, Any] | None:
    if result is None:
        return operation
    if not isinstance(result, dict):
        raise TypeError(f"a handler returned {type(result).__name__}; return a dict or None")
    return {**(operation or {}), **result}


class SyncRouter(_Router):
    """The handlers of ``OneBot``: each called in turn."""

    def dispatch(self, bot: object, event: Mapping[str, Any]) -> dict[str, Any] | None:
        """Call the event's handlers in order; their quick operations merged (None: none).
        A handler that raises is logged and the others still run."""
        operation = None
        for handler in self._chosen(event):
            try:
                operation = _merged(operation, handler(bot, event))
            except Exception:
                log_failure(f"the handler {_name(handler)}")
        return operation


class AsyncRouter(_Router):
    """The handlers of ``AsyncOneBot``: each awaited in turn."""

    async def dispatch(self, bot: object, event: Mapping[str, Any]) -> dict[str, Any] | None:
        """Await the event's handlers in order; their quick operations merged (None: none).
        A handler that raises is logged and the others still run."""
        operation = None
        for handler in self._chosen(event):
            try:
                result: Awaitable[object] = handler(bot, event)
                operation = _merged(operation, await result)
            except Exception:
                log_failure(f"the handler {_name(handler)}")
        return operation


async def handle_each(
    items: AsyncIterator[T], handle: Callable[[T], Coroutine[Any, Any, None]]
) -> None:
    """``handle`` each item in a task of its own, so a slow one holds up no other; returns once
    ``items`` has ended and the tasks have."""
    import asyncio
    import sys

    # From Python 3.12 a task can start at once (eagerly), running the handler up to its first
    # wait without a trip through the event loop: a handler that does not wait costs no task
    # switch. It is still a task of its own (its timeouts and cancellation are its own).
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[None]] = set()
    try:
        async for item in items:
            if sys.version_info >= (3, 12):
                task = asyncio.Task(handle(item), loop=loop, eager_start=True)
            else:
                task = loop.create_task(handle(item))
            if not task.done():
                tasks.add(task)
                task.add_done_callback(tasks.discard)
    finally:
        if tasks:
            await asyncio.wait(tasks)


def _name(handler: Callable[..., Any]) -> str:
    return getattr(handler, "__qualname__", repr(handler))


def quick_params(event: Mapping[str, Any], operation: dict[str, Any]) -> dict[str, object]:
    """The params of ``.handle_quick_operation`` for a handler's quick operation."""
    return {"context": dict(event), "operation": operation}


def log_failure(what: str) -> None:
    """Log the exception being handled (``logging`` is imported only when there is one)."""
    import logging

    logging.getLogger("onebot_client").exception("onebot_client: %s failed", what)


# -- helpers for message events ------------------------------------------------------------


def plain_text(event: Mapping[str, Any]) -> str:
    """The text segments of a message event (or of a message: a list of segments), joined."""
    message = event.get("message", ()) if isinstance(event, Mapping) else event
    return "".join(str(s["data"].get("text", "")) for s in message if s.get("type") == "text")


def mentioned(event: Mapping[str, Any]) -> bool:
    """Whether a message event @-mentions the bot that received it (``at`` its self_id)."""
    me = str(event.get("self_id"))
    return any(
        s.get("type") == "at" and str(s["data"].get("qq")) == me for s in event.get("message", ())
    )


def reply_params(event: Mapping[str, Any], message: object, quote: bool) -> dict[str, object]:
    """The ``send_msg`` params that answer a message event where it came from (quoting it):
    a string is sent as plain text, segments as they are."""
    kind = event.get("message_type")
    if event.get("post_type") not in ("message", "message_sent") or kind not in (
        "private",
        "group",
    ):
        raise ValueError(f"reply() answers message events, not a {event.get('post_type')} event")
    if isinstance(message, str):  # as the senders take it: plain text
        segments: list[object] = [{"type": "text", "data": {"text": message}}]
    else:
        segments = (
            [message] if isinstance(message, Mapping) else list(cast("list[object]", message))
        )
    if quote:
        segments = [{"type": "reply", "data": {"id": str(event["message_id"])}}, *segments]
    target = {"group_id": event["group_id"]} if kind == "group" else {"user_id": event["user_id"]}
    return {"message_type": kind, **target, "message": segments}
