"""A local port-43 WHOIS server answering from a mapping of domain -> raw text."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path


class WhoisServer:
    """Answers ``domain\\r\\n`` with the text for that domain (or "No match")."""

    def __init__(
        self, answers: dict[str, str | Path], host: str = "127.0.0.1", port: int = 0, *, drip: float = 0.0
    ) -> None:
        self.answers = {k.lower(): v for k, v in answers.items()}
        #: send answers one byte every `drip` seconds (a server that never quite stops)
        self.drip = drip
        self.host = host
        self.port = port
        self.queries: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = (await asyncio.wait_for(reader.readline(), 10)).decode("utf-8", "replace").strip().lower()
            self.queries.append(line)
            answer = self.answers.get(line)
            text = answer.read_text("utf-8", "replace") if isinstance(answer, Path) else answer
            body = (text or f"No match for {line}\r\n").encode()
            for start in range(0, len(body), 1 if self.drip else len(body) or 1):
                writer.write(body[start : start + 1] if self.drip else body)
                await writer.drain()
                if self.drip:
                    await asyncio.sleep(self.drip)
        except (TimeoutError, ConnectionError):
            pass
        finally:
            with contextlib.suppress(RuntimeError):
                writer.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._client, self.host, self.port)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._loop.close()

    def __enter__(self) -> WhoisServer:
        self._thread = threading.Thread(target=self._run, name="lab-whois", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=10)
        return self

    def __exit__(self, *_: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout=10)
