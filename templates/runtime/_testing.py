"""The machinery of ``onebot_client.testing``: a fake OneBot implementation that answers every
action of the spec, in-process or on 127.0.0.1.

Each call is checked as NapCat checks it: an action the spec lacks gets retcode 1404; params that
do not fit the action's params TypedDict (an unknown key, a missing required one, a wrong JSON
type) get retcode 1400 naming the param. Every action answers with a value valid for its result
type unless a test scripts another (``on``), a failure (``fail``) or a delay (``delay``). Calls are
recorded; events are injected and reach the bot through ``events()`` and ``run()``.

The generated ``testing`` module subclasses ``Fake`` with the spec's table of actions and typed
signatures; this module is imported only by it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import math
import threading
import time
import typing
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    NamedTuple,
    Self,
    TypeVar,
    cast,
    get_type_hints,
    overload,
)

from . import cq
from ._check import problems, shown
from ._clients import AsyncClient, SyncClient
from ._envelope import as_object
from ._extras import require
from ._events import kind_of
from ._fake_transports import AsyncFakeTransport, Inbox, SyncFakeTransport
from ._fake_values import ID, PLAUSIBLE, Values, hints, not_a_number, wire

if TYPE_CHECKING:
    from ._fake_wire import FakeNapCat, FakeServer

    from .client import AsyncOneBot, OneBot

#: The bot's own QQ number (``get_login_info``, events' ``self_id``), a user and a group that
#: built events come from unless told otherwise.
SELF_ID = 10001
USER_ID = 20002
GROUP_ID = 30003
#: Retcodes the fake answers with, as NapCat does.
BAD_REQUEST = 1400
UNSUPPORTED = 1404
SERVER_ERROR = 1200
#: The actions that send a message, and the quick operation (its ``reply``).
_SENDS = ("send_msg", "send_group_msg", "send_private_msg")
_QUICK = ".handle_quick_operation"
S = TypeVar("S", bound=SyncClient)
W = TypeVar("W", "FakeServer", "FakeNapCat")
A = TypeVar("A", bound=AsyncClient)

#: An action's scripted result: a value, or a function of the call's params.
Script = Any


class Call(NamedTuple):
    """One call the fake received: its action, its params (as JSON decodes them) and the retcode
    it answered with (0: it succeeded)."""

    action: str
    params: dict[str, Any]
    retcode: int


class _Fault(NamedTuple):
    retcode: int
    message: str
    times: int | None  # how many calls it still fails; None: every call


@functools.cache
def _types(method: str, params_class: str | None) -> tuple[Any, Any]:
    """An action's params TypedDict (None: it takes none) and its result annotation, read from
    the client's method."""
    from . import models
    from .client import OneBot

    returns = get_type_hints(getattr(OneBot, method), localns=vars(models))["return"]
    return (getattr(models, params_class) if params_class else None), returns


def _envelope(data: object = None, retcode: int = 0, message: str = "") -> dict[str, Any]:
    return {
        "status": "failed" if retcode else "ok",
        "retcode": retcode,
        "data": data,
        "message": message,
        "wording": message,
    }


class Fake:
    """A fake OneBot implementation (see ``onebot_client.testing.FakeOneBot``)."""

    #: Set by the generated subclass: every action's wire name → (client method, params class).
    _actions: Mapping[str, tuple[str, str | None]] = {}

    def __init__(
        self,
        *,
        self_id: int = SELF_ID,
        nickname: str = "fake bot",
        stop_when_idle: bool = True,
        raise_handler_errors: bool = True,
    ) -> None:
        """A fake server with no script: every action answers with a default result.

        Args:
            self_id: The bot's QQ number: ``get_login_info``'s and built events' ``self_id``.
            nickname: ``get_login_info``'s nickname.
            stop_when_idle: In-process, ``events()`` (and so ``run()``) ends once every
                injected event has been read, so a test can inject, run and assert; with False it
                waits for more until the client is closed (as over the wire, always).
            raise_handler_errors: A handler of an in-process client that raises fails the
                test: ``run()`` raises its exception once the events are handled (the first,
                if several did), and so does ``close()`` (``with FakeOneBot()``) if no
                ``run()`` did. With False it is only logged, as by a real client.
        """
        self.self_id = self_id
        self.nickname = nickname
        self.stop_when_idle = stop_when_idle
        self._lock = threading.RLock()
        self._scripts: dict[str, Script] = {}
        self._extra: set[str] = set()
        self._faults: dict[str, _Fault] = {}
        self._delays: dict[str, float] = {}
        self._history: list[Call] = []
        self._injected: list[dict[str, Any]] = []
        self._values = Values()
        self._inboxes: list[Inbox] = []
        self._backlog: list[dict[str, Any]] = []
        self._servers: list[FakeServer | FakeNapCat] = []
        self._errors: list[BaseException] = []
        self.raise_handler_errors = raise_handler_errors
        #: What the handlers of in-process clients raised, not raised yet.
        self._handler_errors: list[BaseException] = []

    # -- scripting ---------------------------------------------------------------------------

    def _on(self, action: str, result: Script) -> None:
        """Answer ``action`` with ``result`` (a value, or a function of the params) from now on."""
        if action not in self._actions:
            raise ValueError(f"{action!r} is not an action of the spec{self._closest(action)}")
        if not callable(result):
            self._check_result(action, result)
        with self._lock:
            self._scripts[action] = result

    def add_action(self, action: str, result: Script = None) -> None:
        """Teach the fake an action the spec lacks (a server's extension): its params are not
        checked, and it answers with ``result`` (a value, or a function of the params)."""
        with self._lock:
            self._extra.add(action)
            self._scripts[action] = result

    def fail(
        self, action: str, retcode: int, message: str = "", *, times: int | None = None
    ) -> None:
        """Make ``action`` fail with ``retcode`` (the client raises the ``ActionFailed`` subclass
        of that retcode): every call, or the next ``times`` calls."""
        self._known(action)
        if retcode == 0:
            raise ValueError("a failure needs a retcode other than 0")
        with self._lock:
            self._faults[action] = _Fault(retcode, message, times)

    def delay(self, action: str, seconds: float) -> None:
        """Answer ``action`` after ``seconds`` (a client with a shorter timeout raises
        ``RequestTimeout``); 0 answers at once again. ``ValueError`` for a negative or
        infinite wait, or one that is not a number."""
        self._known(action)
        if not isinstance(seconds, int | float) or not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"delay(): {seconds!r} is not a number of seconds (0 or more)")
        with self._lock:
            self._delays[action] = seconds

    def reset(self) -> None:
        """Forget the scripts, failures, delays, the recorded calls and the injected events."""
        with self._lock:
            self._scripts.clear()
            self._extra.clear()
            self._faults.clear()
            self._delays.clear()
            self._history.clear()
            self._injected.clear()

    # -- what happened -----------------------------------------------------------------------

    @property
    def history(self) -> list[Call]:
        """Every call received, in order, those that failed included."""
        with self._lock:
            return list(self._history)

    def _calls(self, action: str) -> list[Any]:
        """The params of each call of ``action`` that the fake accepted (they fit the action's
        params type), in order."""
        self._known(action)
        with self._lock:
            return [
                c.params for c in self._history if c.action == action and c.retcode != BAD_REQUEST
            ]

    def sent(
        self, *, group_id: int | str | None = None, user_id: int | str | None = None
    ) -> list[str]:
        """The text of each message the bot sent, in order, whichever way (``reply()`` sends
        ``send_msg``; ``send_group_msg``, ``send_private_msg`` and the senders built on them;
        the ``reply`` of a quick operation):
        its text segments joined (a CQ-code string's text, codes left out; with
        ``auto_escape``, the string). ``group_id`` or ``user_id`` keeps those sent there."""
        from ._events import plain_text

        texts = []
        for call in self.history:
            params = call.params
            if call.action == _QUICK and call.retcode == 0:  # a reply in a quick operation
                context, operation = params.get("context", {}), params.get("operation", {})
                if "reply" not in operation:
                    continue
                target = {k: context[k] for k in ("group_id", "user_id") if k in context}
                if context.get("message_type") == "group":
                    target.pop("user_id", None)
                params = {**target, "message": operation["reply"]}
            elif call.action not in _SENDS or call.retcode != 0:
                continue
            if group_id is not None and str(params.get("group_id")) != str(group_id):
                continue
            if user_id is not None and str(params.get("user_id")) != str(user_id):
                continue
            message = params.get("message")
            if isinstance(message, str) and not params.get("auto_escape"):
                message = cq.parse(message)
            if isinstance(message, dict):  # one segment
                message = [message]
            texts.append(message if isinstance(message, str) else plain_text({"message": message}))
        return texts

    @property
    def injected(self) -> list[dict[str, Any]]:
        """Every event injected, in order."""
        with self._lock:
            return list(self._injected)

    def wait_until(self, condition: Callable[[], object], timeout: float = 5.0) -> None:
        """Wait until ``condition()`` is true (for a bot served over the wire, which handles
        events on its own time); ``TimeoutError`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"not true within {timeout} s: {condition}")
            time.sleep(0.005)

    async def wait_until_async(self, condition: Callable[[], object], timeout: float = 5.0) -> None:
        """``wait_until`` for asyncio: waits without blocking the event loop."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"not true within {timeout} s: {condition}")
            await asyncio.sleep(0.005)

    # -- answering ---------------------------------------------------------------------------

    def answer(self, action: str, params: object) -> tuple[dict[str, Any], float]:
        """The reply envelope to a call, and the seconds to wait before sending it.

        Raises what a scripted function raises, or ``TypeError`` when it returns a value that
        does not fit the action's result type.
        """
        with self._lock:
            wait = self._delays.get(action, 0.0)
            if action not in self._actions and action not in self._extra:
                return self._record(action, params, UNSUPPORTED, f"不支持的Api {action}"), wait
            if not isinstance(params, dict):
                message = f"{action}: params must be a JSON object"
                return self._record(action, {}, BAD_REQUEST, message), wait
            params = cast("dict[str, Any]", params)
            if action in self._actions:
                wrong = self._params_problems(action, params)
                if wrong:
                    message = f"{action}: " + "; ".join(wrong)
                    return self._record(action, params, BAD_REQUEST, message), wait
            fault = self._faults.get(action)
            if fault is not None:
                if fault.times is not None:
                    left = fault.times - 1
                    if left > 0:
                        self._faults[action] = fault._replace(times=left)
                    else:
                        del self._faults[action]
                return self._record(action, params, fault.retcode, fault.message), wait
            self._history.append(Call(action, params, 0))
            return _envelope(self._result(action, params)), wait

    def _record(self, action: str, params: object, retcode: int, message: str) -> dict[str, Any]:
        recorded = cast("dict[str, Any]", params) if isinstance(params, dict) else {}
        self._history.append(Call(action, recorded, retcode))
        return _envelope(None, retcode, message)

    def _params_problems(self, action: str, params: dict[str, Any]) -> list[str]:
        cls = self._types(action)[0]
        if cls is None:
            return [f"unknown param {key!r} (it takes none)" for key in params]
        wrong = [_param_problem(cls.__name__, p) for p in problems(params, cls, "")]
        hints_of = hints(cls)
        return wrong + [
            f"param {key!r}: {shown(value)} is not a number"
            for key, value in params.items()
            if hints_of.get(key) == ID and not_a_number(value)
        ]

    def _result(self, action: str, params: dict[str, Any]) -> Any:
        script = self._scripts.get(action, _DEFAULT)
        if script is _DEFAULT:
            return self.default_result(action, params)
        if not callable(script):
            return wire(script)
        result = wire(script(wire(params)))
        if action in self._actions:
            self._check_result(action, result, TypeError)
        return result

    def _check_result(
        self, action: str, result: object, error: type[Exception] = ValueError
    ) -> None:
        wrong = problems(wire(result), self._types(action)[1], "result")
        if wrong:
            raise error(f"a scripted result of {action} does not fit its type: " + "; ".join(wrong))

    def default_result(self, action: str, params: Mapping[str, Any] | None = None) -> Any:
        """The result the fake answers ``action`` with when no script says otherwise: valid for
        the result type, made from it. Keys the params also have take the param's value (so
        ``get_group_info(123)`` answers group 123), ``message_id`` keys a new id each time,
        ``get_login_info`` the fake's ``self_id`` and nickname; the rest is the type's plainest
        value (0, "", False, [], the first of a Literal's values; optional keys left out)."""
        returns = self._types(action)[1]
        known = {"self_id": self.self_id, **PLAUSIBLE, **(params or {})}
        if action == "get_login_info":
            known |= {"user_id": self.self_id, "nickname": self.nickname}
        return self._values.of(returns, known)

    def _types(self, action: str) -> tuple[Any, Any]:
        return _types(*self._actions[action])

    def _known(self, action: str) -> None:
        if action not in self._actions and action not in self._extra:
            raise ValueError(f"{action!r} is not an action of the spec{self._closest(action)}")

    def _closest(self, action: str) -> str:
        import difflib

        close = difflib.get_close_matches(action, list(self._actions), 1)
        return f" (did you mean {close[0]!r}?)" if close else " (add_action() teaches it one)"

    # -- events ------------------------------------------------------------------------------

    def inject(self, event: Mapping[str, object], *, check: bool = True) -> None:
        """Send an event to the bot (to every client of the fake, in-process or connected).

        Args:
            event: An event, as the server would push it: one of the ``models`` event types,
                e.g. built by ``event()``, ``group_message()`` or ``private_message()``.
            check: Raise ``ValueError`` when an event of a kind the spec knows does not fit
                its type (a kind the spec does not know reaches the bot as ``UnknownEvent``).
        """
        frame = as_object(wire(event))
        if frame is None or not isinstance(frame.get("post_type"), str):
            raise ValueError("an event is a JSON object with a post_type")
        kind = kind_of(_selector(), frame)
        if check and kind is not None:
            wrong = problems(frame, _event_type(kind), "event")
            if wrong:
                raise ValueError(f"not a valid {kind}: " + "; ".join(wrong))
        with self._lock:
            self._injected.append(frame)
            if not self._inboxes:
                self._backlog.append(frame)
            inboxes = list(self._inboxes)
        for inbox in inboxes:
            inbox.put(frame)

    def _event(self, kind: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """An event of ``kind`` (its class name) with ``fields``, every other required field
        filled with a plausible value; ``ValueError`` when the result is not a valid ``kind``."""
        try:
            cls = _event_type(kind)
        except AttributeError:
            raise ValueError(f"{kind!r} is not an event kind of the spec") from None
        known = {
            "time": int(time.time()),
            "self_id": self.self_id,
            "user_id": USER_ID,
            "group_id": GROUP_ID,
            "operator_id": USER_ID,
            "sender_id": USER_ID,
            "target_id": self.self_id,
            **PLAUSIBLE,
            "font": 14,
            "message_format": "array",
            **fields,
        }
        event: dict[str, Any] = {**self._values.of(cls, known), **fields}
        wrong = problems(event, cls, "event")
        if wrong:
            raise ValueError(f"not a valid {kind}: " + "; ".join(wrong))
        told = kind_of(_selector(), event)
        if told != kind:
            raise ValueError(f"these fields make a {told or 'unknown'} event, not a {kind}")
        return event

    def _message(
        self, kind: str, message: str | list[Any], fields: Mapping[str, Any]
    ) -> dict[str, Any]:
        segments = (
            [{"type": "text", "data": {"text": message}}] if isinstance(message, str) else message
        )
        return self._event(
            kind, {"message": segments, "raw_message": cq.render(segments), **fields}
        )

    def _subscribe(self) -> Inbox:
        inbox = Inbox()
        with self._lock:
            for frame in self._backlog:
                inbox.put(frame)
            self._backlog.clear()
            self._inboxes.append(inbox)
        return inbox

    def _unsubscribe(self, inbox: Inbox) -> None:
        with self._lock:
            if inbox in self._inboxes:
                self._inboxes.remove(inbox)

    # -- clients and servers -----------------------------------------------------------------

    @overload
    def client(self, *, timeout: float | None = 5.0) -> OneBot: ...

    @overload
    def client(self, cls: type[S], *, timeout: float | None = 5.0) -> S: ...

    def client(self, cls: type[SyncClient] | None = None, *, timeout: float | None = 5.0) -> Any:
        """A ``OneBot`` (or ``cls``, a subclass) wired to the fake in-process: no socket, calls
        answered in the calling thread, ``events()`` and ``run()`` fed by ``inject()``."""
        if cls is None:
            from .client import OneBot

            cls = OneBot
        return self._wired(cls, SyncFakeTransport(self), timeout)

    @overload
    def async_client(self, *, timeout: float | None = 5.0) -> AsyncOneBot: ...

    @overload
    def async_client(self, cls: type[A], *, timeout: float | None = 5.0) -> A: ...

    def async_client(
        self, cls: type[AsyncClient] | None = None, *, timeout: float | None = 5.0
    ) -> Any:
        """An ``AsyncOneBot`` (or ``cls``) wired to the fake in-process."""
        if cls is None:
            from .client import AsyncOneBot

            cls = AsyncOneBot
        return self._wired(cls, AsyncFakeTransport(self), timeout)

    def _wired(self, cls: type[object], transport: object, timeout: float | None) -> Any:
        client: Any = object.__new__(cls)
        client._configure("fake://onebot", None, timeout, "")
        client._transport = client._socket_transport = transport
        if self.raise_handler_errors:
            client.on.failures = self._handler_errors
        return client

    def serve(
        self, host: str = "127.0.0.1", port: int = 0, *, access_token: str | None = None
    ) -> FakeServer:
        """Serve the fake over the wire (needs ``aiohttp``), for a bot that connects itself:
        HTTP ``POST /{action}`` at ``http_url`` and forward WebSocket at ``ws_url`` (injected
        events go to every connected socket). Port 0 picks a free one. Stopped by ``close()``."""
        require("async", "FakeOneBot.serve()")
        from ._fake_wire import FakeServer

        return self._keep(FakeServer(self, host, port, access_token))

    def connect_reverse(
        self, url: str, *, self_id: int | None = None, access_token: str | None = None
    ) -> FakeNapCat:
        """Connect to a bot's ``ReverseWebSocketServer`` as NapCat does (needs ``aiohttp``):
        ``X-Self-ID`` (``self_id``, default the fake's), ``X-Client-Role: Universal`` and the
        token, then a lifecycle event; injected events are pushed over the connection and the
        bot's calls answered. It connects in the background: wait for ``connected``. Closed by
        ``close()``."""
        require("async", "FakeOneBot.connect_reverse()")
        from ._fake_wire import FakeNapCat

        napcat = self._keep(FakeNapCat(self))
        headers = {"X-Self-ID": str(self.self_id if self_id is None else self_id)}
        headers |= {"X-Client-Role": "Universal", "User-Agent": "OneBot/11"}
        if access_token:
            headers["Authorization"] = f"Bearer {access_token}"
        napcat.reverse(url, headers)
        return napcat

    def post_events(self, url: str, *, secret: str | None = None) -> FakeNapCat:
        """Post each injected event to a bot's ``HttpPostServer`` as NapCat does (needs
        ``aiohttp``), one after another, signed with ``secret``; the quick operation in a
        response is carried out as a ``.handle_quick_operation`` call (in ``history``, and
        ``sent()`` reads its reply). A post the bot refuses fails the test at ``close()``.
        Stopped by ``close()``."""
        require("async", "FakeOneBot.post_events()")
        from ._fake_wire import FakeNapCat

        napcat = self._keep(FakeNapCat(self))
        napcat.post(url, secret)
        return napcat

    def _keep(self, wired: W) -> W:
        """Keep a server or a NapCat player for ``close()``."""
        with self._lock:
            self._servers.append(wired)
        return wired

    def _failed(self, error: BaseException) -> None:
        """Keep an error met over the wire (a script that failed, a post refused): ``close()``
        raises it."""
        with self._lock:
            self._errors.append(error)

    def close(self) -> None:
        """Stop the servers and end the clients' ``events()``; raises the first error a
        scripted function raised while answering over the wire."""
        with self._lock:
            servers, self._servers = self._servers, []
            inboxes = list(self._inboxes)
            errors, self._errors = self._errors, []
            errors += self._handler_errors
            self._handler_errors.clear()
        for server in servers:
            server.close()
        for inbox in inboxes:
            inbox.close()
        if errors:
            raise errors[0]

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if error is None:
            self.close()
        else:
            with contextlib.suppress(Exception):
                self.close()


_DEFAULT: Any = object()


def _param_problem(params_class: str, problem: str) -> str:
    """A problem of the params (``.group_id: True is not int | str``) as the 1400 message tells
    it."""
    where, _, what = problem.removeprefix(".").partition(": ")
    if what == f"not a key of {params_class}":
        return f"unknown param {where!r}"
    if what == f"required by {params_class}, missing":
        return f"missing required param {where!r}"
    return f"param {where!r}: {what}"


def _selector() -> Any:
    from .events import SELECTOR

    return SELECTOR


def _event_type(kind: str) -> Any:
    """The event TypedDict named ``kind``; ``AttributeError`` when there is none."""
    from . import models
    from ._events import ANY_KIND

    cls = getattr(models, kind) if kind in models.__all__ and kind != ANY_KIND else None
    if not typing.is_typeddict(cls) or "post_type" not in hints(cls):
        raise AttributeError(kind)
    return cls
