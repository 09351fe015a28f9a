"""Run an ASGI app on a loopback port in a background thread (lab servers and tests), and wait for
a server (in this process or another) to be ready: one free port, one readiness loop for all."""

from __future__ import annotations

import http.client
import socket
import ssl as tls
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import uvicorn


def free_port(host: str = "127.0.0.1") -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def wait_until(
    ready: Callable[[], bool],
    failure: str,
    timeout: float = 10.0,
    alive: Callable[[], bool] | None = None,
    every: float = 0.01,
) -> None:
    """Until `ready()` holds, polled every `every` s; RuntimeError(`failure`) after `timeout` s, or
    as soon as `alive()` (the server's thread or process is running) is false."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline or (alive is not None and not alive()):
            raise RuntimeError(failure)
        time.sleep(every)


def accepts_connections(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something listens on `host`:`port`."""
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


def answers(url: str, status: int | None = 200) -> bool:
    """Whether GET `url` gets an answer (with `status`, unless None: any status), straight (no proxy);
    certificates are not checked (the lab's own)."""
    context = tls.create_default_context()
    context.check_hostname = False
    context.verify_mode = tls.CERT_NONE
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(url, timeout=2) as response:
            code = int(response.status)
    except urllib.error.HTTPError as error:
        code = error.code
    except (OSError, http.client.HTTPException):  # refused, reset, timed out, or not HTTP yet
        return False
    return status is None or code == status


def wait_for_port(
    port: int, host: str = "127.0.0.1", timeout: float = 10.0, alive: Callable[[], bool] | None = None
) -> None:
    """Until a server accepts connections on `host`:`port`."""
    failure = f"no server started on {host}:{port}"
    wait_until(lambda: accepts_connections(port, host), failure, timeout, alive, every=0.1)


def wait_for_url(
    url: str, timeout: float = 10.0, alive: Callable[[], bool] | None = None, status: int | None = 200
) -> None:
    """Until GET `url` answers with `status` (None: any status)."""
    wait_until(lambda: answers(url, status), f"the server at {url} did not start", timeout, alive, every=0.1)


class ThreadedServer:
    """uvicorn serving `app` on `host`:`port` (0 picks a free port) until :meth:`stop`.

    Started means uvicorn listens; with `ready_path`, also that GET `ready_path` answers 200 (an
    app that checks its store there, say), within `timeout` seconds.
    """

    def __init__(
        self,
        app: Any,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        ready_path: str | None = None,
        timeout: float = 10.0,
        **ssl: Any,
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.scheme = "https" if ssl else "http"
        self.ready_path = ready_path
        self.timeout = timeout
        self._server = uvicorn.Server(
            # server_header=False: lab sites choose their own Server header (CDN signatures).
            uvicorn.Config(
                app,
                host=host,
                port=self.port,
                log_level="warning",
                lifespan="off",
                access_log=False,
                server_header=False,
                **ssl,
            )
        )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def start(self) -> ThreadedServer:
        thread = self._thread = threading.Thread(target=self._server.run, name="lab-http", daemon=True)
        thread.start()
        what = f"lab server on {self.url} did not start"
        deadline = time.monotonic() + self.timeout
        try:
            wait_until(lambda: self._server.started, what, self.timeout, thread.is_alive)
            if self.ready_path is not None:
                url = self.url + self.ready_path
                left = max(0.0, deadline - time.monotonic())
                wait_until(lambda: answers(url), what, left, thread.is_alive, every=0.05)
        except RuntimeError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
