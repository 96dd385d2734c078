# Copied from templates/runtime/_url.py by `onebot-gen build`. Do not edit: change it there.
"""Server addresses: checked once, shown without secrets, and where the access token comes from
and goes."""

from __future__ import annotations

from urllib.parse import SplitResult, parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

#: The query parameter that carries a token in a URL (OneBot 11 servers accept it there too).
TOKEN_PARAM = "access_token"


def checked(url: str, schemes: tuple[str, str], otherwise: str) -> SplitResult:
    """The parts of ``url``; ``ValueError`` unless it has a host and one of ``schemes``."""
    parts = urlsplit(url)
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(
            f"expected a {schemes[0]}:// or {schemes[1]}:// URL ({otherwise}), got "
            f"{parts.scheme or 'no'} scheme"
        )
    return parts


def token_from(url: str, access_token: str | None) -> tuple[str, str | None]:
    """The URL without its ``access_token`` query parameter, and the token to send (in the
    ``Authorization`` header, never in the URL, which servers and libraries log): the argument
    or the URL's. ``ValueError`` when the two differ."""
    parts = urlsplit(url)
    kept: list[str] = []
    found: set[str] = set()
    for piece in parts.query.split("&") if parts.query else []:
        name, _, value = piece.partition("=")
        if unquote_plus(name) == TOKEN_PARAM:
            found.add(unquote_plus(value))
        else:
            kept.append(piece)
    found.discard("")
    found.update([access_token] if access_token else [])
    if len(found) > 1:
        raise ValueError(
            f"two different access tokens: the URL's {TOKEN_PARAM} query parameter and the "
            "access_token argument (give one)"
        )
    return urlunsplit(parts._replace(query="&".join(kept))), next(iter(found), None)


def where(parts: SplitResult) -> str:
    """Host and port, as error messages show the server (never user info)."""
    return parts.netloc.rpartition("@")[2]


def shown(url: str) -> str:
    """The URL as ``repr`` shows it: no user info, no ``access_token`` query value."""
    parts = urlsplit(url)
    query = [(k, "***" if k == TOKEN_PARAM else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(netloc=where(parts), query=urlencode(query, safe="*")))


def bearer(access_token: str | None) -> dict[str, str]:
    """The header that carries the access token, if there is one."""
    return {"Authorization": f"Bearer {access_token}"} if access_token else {}
