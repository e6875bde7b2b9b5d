"""ASGI guards run before any route: the Host check and the request body limit.

Both are plain ASGI middleware so they see the connection as it arrives: the Host guard
refuses a request before its body is read, and the body limit counts the bytes actually
received (``Content-Length`` or chunked) and answers 413 as soon as the count passes the
limit, before a route or the multipart parser sees a byte (nothing is spooled to disk).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request

from cellchain.dashboard.limits import MAX_UPLOAD_BYTES

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARDS = frozenset({"", "0.0.0.0", "::"})


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _is_loopback(name: str) -> bool:
    if name == "localhost":
        return True
    return _is_ip(name) and ipaddress.ip_address(name).is_loopback


def host_of(header: str) -> str | None:
    """The host name of a ``Host`` header (``name``, ``name:port``, ``[v6]:port``),
    lower-cased; None when it is malformed."""
    if not header or any(c.isspace() or c in "/?#@\\" for c in header):
        return None
    try:
        parts = urlsplit("//" + header)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None
    return parts.hostname or None


class HostPolicy:
    """Which ``Host`` header names this server answers to, given the address it is bound
    to (the DNS-rebinding guard: a page on another site whose name was re-pointed at this
    address still sends its own name, and is refused).

    Bound to a loopback address: that address, ``localhost``, ``127.0.0.1`` and ``::1``.
    Bound to a specific address or name: that one only. Bound to all interfaces
    (``0.0.0.0``, ``::``): any IP address literal, ``localhost`` and this machine's names.
    """

    def __init__(self, bound: str):
        self.bound = bound
        name = bound.strip("[]").lower()
        self.any_ip = name in WILDCARDS
        names = {name} if name not in WILDCARDS else set()
        if self.any_ip or _is_loopback(name):
            names |= LOOPBACK_NAMES
        if self.any_ip:
            names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
        self.names = frozenset(names)

    def allows(self, header: str) -> bool:
        name = host_of(header)
        if name is None:
            return False
        return name in self.names or (self.any_ip and _is_ip(name))


class HostGuard:
    """Answer 400 to a request whose ``Host`` header does not name this server."""

    def __init__(self, app, policy: HostPolicy, respond):
        self.app = app
        self.policy = policy
        self.respond = respond

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        header = Headers(scope=scope).get("host", "")
        if self.policy.allows(header):
            return await self.app(scope, receive, send)
        shown = header[:80] if header else "(none)"
        response = self.respond(
            Request(scope), 400, f"Host header {shown!r} does not name this server "
            f"(bound to {self.policy.bound}).",
            "Open the dashboard by the address it was started on; other names are "
            "refused to block DNS rebinding.")
        await response(scope, receive, send)


class BodyLimit:
    """Answer 413 once a request body passes ``max_bytes``, counting what arrives.

    The body (at most ``max_bytes``) is held in memory and replayed to the application,
    so a route, FastAPI's form parsing and the multipart parser only ever see a body that
    is within the limit.
    """

    def __init__(self, app, max_bytes: int, respond):
        self.app = app
        self.max_bytes = max_bytes
        self.respond = respond

    def _too_large(self, scope, what: str):
        return self.respond(
            Request(scope), 413, f"The request body is over the limit of {self.max_bytes} "
            f"bytes ({what}).", f"Scenarios are limited to {MAX_UPLOAD_BYTES // 1024} KiB; "
            "send a smaller file.",
            headers={"Connection": "close"})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await self._too_large(scope, f"Content-Length {declared}")(
                scope, receive, send)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return await self._too_large(scope, f"{size} bytes received so far")(
                    scope, receive, send)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


class HeadAsGet:
    """Answer HEAD as GET without the body (HTTP requires both for every resource that
    has GET; FastAPI routes declare GET only)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def headers_only(message):
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return None
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        return await self.app({**scope, "method": "GET"}, receive, headers_only)
