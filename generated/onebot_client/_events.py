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

    from ._stopping import AsyncStopping
    from .models import Event

H = TypeVar("H", bound=Callable[..., Any])
T = TypeVar("T")

#: Events kept for ``events()`` and ``run()`` by each connection and server. When full, a reader
#: waits for room while they are read, and drops the oldest while nothing reads them (see
#: ``_backlog``; the blocking client's own is in ``_ws_sync``).
EVENT_BUFFER = 10_000
#: Events handled at once by ``run()`` (each in a task of its own).
HANDLING = 10_000
#: Seconds between a waiting reader's looks at whether a call now waits on its connection.
RECHECK = 0.05


class Drops:
    """Counts the events dropped from a full buffer while nothing read it; each run of drops is
    logged when it starts, and its count when reading starts."""

    def __init__(self) -> None:
        self.dropped = 0

    def drop(self) -> None:
        self.dropped += 1
        if self.dropped == 1:
            _log().warning(
                "%d events are waiting and neither events() nor run() reads "
                "them; dropping the oldest until one does",
                EVENT_BUFFER,
            )

    def reading(self) -> None:
        """``events()`` or ``run()`` started reading: say how many events were lost before."""
        if self.dropped:
            _log().warning("%d events were dropped while nothing read them", self.dropped)
            self.dropped = 0


def _log() -> Any:
    """The package's logger (``logging`` is imported only when something is logged)."""
    import logging

    return logging.getLogger("onebot_client")


#: What ``UnknownEvent`` carries as its post_type, and the name its handlers are kept under.
UNKNOWN = "unknown"
UNKNOWN_KIND = "UnknownEvent"
#: The name the handlers of every event are kept under.
ANY_KIND = "Event"

#: A node of the generated table: a kind's class name; ``(key, {value: node})``, chosen by the
#: string value of ``key``; or ``(field, kind if the field is present, node otherwise)``.
Selector = Any


class FrameLog:
    """What one connection could not use of what the server sent: the first frame of each kind
    of problem is logged (WARNING, quoted without the token), the others only counted, so a
    server sending garbage cannot flood the log."""

    def __init__(self, where: str, secret: str | None) -> None:
        self._where = where
        self._secret = secret
        #: How many frames of each kind of problem came.
        self.counts: dict[str, int] = {}

    def skip(self, problem: str, raw: str | bytes | None = None, *, trace: bool = False) -> None:
        """Note a frame that was skipped (or kept only in part) because of ``problem``;
        ``trace`` logs the exception being handled with it."""
        seen = self.counts.get(problem, 0)
        self.counts[problem] = seen + 1
        if seen:
            return
        from ._envelope import preview
        from .errors import redact

        quoted = f": {preview(raw, self._secret)}" if raw is not None else ""
        text = f"{self._where}: {problem}{quoted} (only the first such is logged)"
        if trace:
            import traceback

            text += "\n" + traceback.format_exc().rstrip()
        _log().warning("%s", redact(text, self._secret))


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


def parse(selector: Selector, frame: object, log: FrameLog | None = None) -> Event | None:
    """The frame as a typed event: itself when the table knows its kind, wrapped in an
    ``UnknownEvent`` when it does not; None when it is not an event at all (no post_type).

    Never raises. Fields are as the server sent them: the kind is told by its discriminators
    only, and a field of another type than the event's is passed on as it is. A message sent as
    a CQ-code string is converted to segments (see ``cq.parse``); one over ``cq.MAX_CHARS`` is
    kept as one text segment, noted in ``log``.
    """
    if not isinstance(frame, dict) or not isinstance(frame.get("post_type"), str):
        return None
    if kind_of(selector, frame) is None:
        return cast("Event", {"post_type": UNKNOWN, "event": frame})
    message = frame.get("message")
    # A server set to post messages as CQ-code strings (a notice's "message" is plain text).
    if isinstance(message, str) and frame["post_type"] in ("message", "message_sent"):
        try:
            frame["message"] = cq.parse(message)
        except ValueError as exc:
            frame["message"] = [{"type": "text", "data": {"text": cq.unescape(message)}}]
            if log is not None:
                log.skip(f"kept a message as one text segment: {exc}")
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
        #: Where the exceptions of handlers go besides the log (the testing kit's, to fail the
        #: test); None: only logged.
        self.failures: list[BaseException] | None = None

    def raise_failures(self) -> None:
        """Raise the first exception a handler raised since the last call, when they are kept
        (``failures``: the testing kit's)."""
        if self.failures:
            first = self.failures[0]
            self.failures.clear()
            raise first

    def _failed(self, handler: Callable[..., Any], error: BaseException) -> None:
        log_failure(f"the handler {_name(handler)}")
        if self.failures is not None:
            self.failures.append(error)

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
            except Exception as exc:
                self._failed(handler, exc)
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
            except Exception as exc:
                self._failed(handler, exc)
        return operation


async def handle_each(
    items: AsyncIterator[T],
    handle: Callable[[T], Coroutine[Any, Any, None]],
    stopping: AsyncStopping | None = None,
) -> None:
    """``handle`` each item in a task of its own, so a slow one holds up no other; returns once
    ``items`` has ended and the tasks have (after a signal, within ``GRACE`` seconds: then they
    are cancelled). At most ``HANDLING`` run at once: then the next item is taken once one ends
    (and the events wait in their buffers, see ``_backlog``)."""
    import asyncio
    import sys

    from ._stopping import GRACE

    # From Python 3.12 a task can start at once (eagerly), running the handler up to its first
    # wait without a trip through the event loop: a handler that does not wait costs no task
    # switch. It is still a task of its own (its timeouts and cancellation are its own).
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[None]] = set()
    if stopping is not None:
        stopping.tasks = tasks
    try:
        async for item in items:
            if len(tasks) >= HANDLING:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            if sys.version_info >= (3, 12):
                task = asyncio.Task(handle(item), loop=loop, eager_start=True)
            else:
                task = loop.create_task(handle(item))
            if not task.done():
                tasks.add(task)
                task.add_done_callback(tasks.discard)
    finally:
        if tasks:
            signalled = stopping is not None and stopping.signal is not None
            _, late = await asyncio.wait(tasks, timeout=GRACE if signalled else None)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)


def _name(handler: Callable[..., Any]) -> str:
    return getattr(handler, "__qualname__", repr(handler))


def quick_params(event: Mapping[str, Any], operation: dict[str, Any]) -> dict[str, object]:
    """The params of ``.handle_quick_operation`` for a handler's quick operation."""
    return {"context": dict(event), "operation": operation}


def log_failure(what: str) -> None:
    """Log the exception being handled (``logging`` is imported only when there is one)."""
    _log().exception("%s failed", what)


# -- helpers for message events ------------------------------------------------------------


def _segments(message: object) -> list[Mapping[str, Any]]:
    """The segments of a message that are JSON objects with an object ``data`` (the helpers
    skip any other, as a server may send them)."""
    if not isinstance(message, list | tuple):
        return []
    return [s for s in message if isinstance(s, Mapping) and isinstance(s.get("data"), Mapping)]


def plain_text(event: Mapping[str, Any]) -> str:
    """The text segments of a message event (or of a message: a list of segments), joined.
    Never raises: what is not a text segment is left out."""
    message = event.get("message") if isinstance(event, Mapping) else event
    return "".join(
        str(s["data"].get("text", "")) for s in _segments(message) if s.get("type") == "text"
    )


def mentioned(event: Mapping[str, Any]) -> bool:
    """Whether a message event @-mentions the bot that received it (``at`` its self_id).
    Never raises."""
    me = str(event.get("self_id"))
    return any(
        s.get("type") == "at" and str(s["data"].get("qq")) == me
        for s in _segments(event.get("message"))
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
    key = "group_id" if kind == "group" else "user_id"
    # a private message the bot sent is from itself (user_id): its chat is the one it went to
    source = "target_id" if kind == "private" and event["post_type"] == "message_sent" else key
    if not isinstance(event.get(source), int | str) or (quote and "message_id" not in event):
        raise ValueError(f"reply(): the {kind} message event has no {source} or message_id")
    if quote:
        segments = [{"type": "reply", "data": {"id": str(event["message_id"])}}, *segments]
    return {"message_type": kind, key: event[source], "message": segments}
