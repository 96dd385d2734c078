"""Server addresses: checked once, shown without secrets, and the token's header."""

from __future__ import annotations

from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit


def checked(url: str, schemes: tuple[str, str], otherwise: str) -> SplitResult:
    """The parts of ``url``; ``ValueError`` unless it has a host and one of ``schemes``."""
    parts = urlsplit(url)
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(
            f"expected a {schemes[0]}:// or {schemes[1]}:// URL ({otherwise}), got "
            f"{parts.scheme or 'no'} scheme"
        )
    return parts


def where(parts: SplitResult) -> str:
    """Host and port, as error messages show the server (never user info)."""
    return parts.netloc.rpartition("@")[2]


def shown(url: str) -> str:
    """The URL as ``repr`` shows it: no user info, no ``access_token`` query value."""
    parts = urlsplit(url)
    query = [(k, "***" if k == "access_token" else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(netloc=where(parts), query=urlencode(query, safe="*")))


def bearer(access_token: str | None) -> dict[str, str]:
    """The header that carries the access token, if there is one."""
    return {"Authorization": f"Bearer {access_token}"} if access_token else {}
