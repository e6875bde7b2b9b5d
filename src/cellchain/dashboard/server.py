"""Run the dashboard: bind the socket first (a busy port or a bad host is one line, not a
traceback from deep inside the server), then hand it to uvicorn."""

from __future__ import annotations

import socket

from cellchain.errors import CellchainError


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port``; CellchainError says why not."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise CellchainError(f"Cannot serve on host {host!r}: {_reason(exc)}.",
                             "Use an address of this machine, e.g. --host 127.0.0.1.") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise CellchainError(f"Cannot serve on {host}:{port}: {_reason(exc)}.",
                             "Choose another --port, or stop the program using it."
                             if exc.errno in _BUSY else
                             "Use an address of this machine, e.g. --host 127.0.0.1.") from None
    sock.set_inheritable(True)
    return sock


def _reason(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text[0].lower() + text[1:] if text else text


_BUSY = {98, 48, 10048}  # EADDRINUSE on Linux, macOS, Windows


def serve(host: str, port: int, announce=print) -> None:
    """Serve the dashboard on ``host``:``port`` until interrupted."""
    import uvicorn

    from cellchain.dashboard.app import create_app

    sock = bind(host, port)
    try:
        app = create_app(host)
        shown = f"[{host}]" if ":" in host else host
        announce(f"cellchain dashboard on http://{shown}:{sock.getsockname()[1]}/ "
                 "(Ctrl+C to stop)")
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        server.run(sockets=[sock])
    finally:
        sock.close()
