"""Running the review app on this machine: the socket is bound first (a port in use is one clear error), then
the URL with its token is printed, as Jupyter does, and uvicorn serves until Ctrl-C."""

from __future__ import annotations

import contextlib
import ipaddress
import signal
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from nlp_coder.review.guard import new_token
from nlp_coder.review.store import ReviewError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8400


def is_local(host: str) -> bool:
    """True for the loopback addresses (127.0.0.0/8, ::1) and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, token_given: bool) -> None:
    """Serving beyond this machine needs a token chosen by the user, never a printed random one alone."""
    if not is_local(host) and not token_given:
        raise ReviewError(
            f"--host {host} makes the review reachable from other machines; give --token (or NLP_CODER_TOKEN) "
            "to do so, or keep the default 127.0.0.1"
        )


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port)."""
    address = "127.0.0.1" if host == "localhost" else host.strip("[]")
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(
        family, socket.SOCK_STREAM, socket.IPPROTO_TCP
    )  # TCP named: asyncio then sets TCP_NODELAY
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ReviewError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    return sock


def url(host: str, port: int, token: str) -> str:
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={quote(token, safe='')}"


def serve(
    db: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    token: str | None = None,
    blind: bool = False,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve the review of ``db`` until Ctrl-C or SIGTERM; ``announce`` gets the URL to open once the port is
    bound. A stop asked for at any moment, even while the server is still starting, ends it cleanly."""
    import uvicorn

    from nlp_coder.review.app import create_app

    check_host(host, bool(token))
    token = token or new_token()
    app = create_app(db, token, blind)
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False)
    config.load()
    sock = bind(host, port)
    early: list[int] = []  # stops asked for before uvicorn listens for them
    previous = {}
    if threading.current_thread() is threading.main_thread():  # only there can signals be caught
        previous = {
            sig: signal.signal(sig, lambda signum, _frame: early.append(signum)) for sig in STOP_SIGNALS
        }
    try:
        announce(url(host, sock.getsockname()[1], token))
        _server_class()(config, early).run(sockets=[sock])  # answers the requests in flight, then stops
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _server_class():
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, told of the stops that came before it set its own signal handlers."""

        def __init__(self, config, early: list[int]) -> None:
            super().__init__(config)
            self.early = early

        @contextlib.contextmanager
        def capture_signals(self):
            with super().capture_signals():
                for signum in list(self.early):
                    self.handle_exit(signum, None)
                yield

    return Server
