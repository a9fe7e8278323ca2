"""A small local OpenAI-compatible chat server for tests: scripted replies, no model.

`POST /v1/chat/completions` answers with the next scripted reply (or `default`). Modes:
- a reply's `delay_for` holds the answer until the test's `release` event is set (or `hold_limit`
  passes), so the client's deadline is tested without sleeping in the test itself;
- a reply's `status` returns that HTTP status instead of a completion;
- a reply is any text: a threatening sentence tests the content guard.
Every request body is kept in `requests` so tests can check what was (not) sent.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass
class Scripted:
    content: str = ""
    status: int = 200
    slow: bool = False  # wait for `release` before answering


@dataclass
class LlmServer:
    default: Scripted = field(default_factory=lambda: Scripted('{"intent": "other"}'))
    hold_limit: float = 10.0  # a slow reply never waits longer than this for `release`
    replies: deque[Scripted] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    _httpd: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def script(self, *replies: Scripted | str) -> None:
        self.replies.extend(r if isinstance(r, Scripted) else Scripted(r) for r in replies)

    def __enter__(self) -> LlmServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                server.requests.append(body)
                server.headers.append(dict(self.headers.items()))
                if self.path != "/v1/chat/completions":
                    self.send_error(404)
                    return
                reply = server.replies.popleft() if server.replies else server.default
                if reply.slow:
                    server.release.wait(server.hold_limit)
                if reply.status != 200:
                    self.send_error(reply.status)
                    return
                payload = json.dumps(
                    {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "model": body.get("model"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": reply.content},
                                "finish_reason": "stop",
                            }
                        ],
                    },
                    ensure_ascii=False,
                ).encode("utf-8")
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up at its deadline

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release.set()
        assert self._httpd is not None
        assert self._thread is not None
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
