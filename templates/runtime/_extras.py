"""The optional libraries the transports need: a missing one is named, with the extra that
installs it, when the client is created (not as a bare ``ModuleNotFoundError`` on the first call).
"""

from __future__ import annotations

from .errors import MissingExtra

#: The libraries of each extra of the ``onebot-client`` package.
EXTRAS = {"async": ("aiohttp",), "websocket": ("websockets",), "all": ("aiohttp", "websockets")}


def require(extra: str, what: str) -> None:
    """Raise ``MissingExtra`` saying what to install when the library of ``extra`` is missing
    (``what`` names the client that needs it)."""
    from importlib.util import find_spec  # here: it imports more than the client needs

    for module in EXTRAS[extra]:
        if find_spec(module) is None:
            raise MissingExtra(
                f"{what} needs {module}, which is not installed: "
                f"pip install 'onebot-client[{extra}]'",
                name=module,
            )
