"""A real OpenAI-compatible HTTP server for tests (stdlib only, 127.0.0.1, random free port).

Speaks enough of the Chat Completions API for langchain-openai: ``POST /v1/chat/completions``
(JSON, or SSE when ``"stream": true``) and ``GET /v1/models``. Set ``server.mode`` at any time:

- ``"ok"``: answer ``server.reply`` (or ``server.responder(request)``), streamed in several chunks
- ``"slow"``: wait ``server.slow_seconds`` before answering (longer than a short client timeout)
- ``"401"`` / ``"429"`` / ``"500"``: OpenAI-shaped error responses (the 401 echoes the key, as
  some servers do, so tests can check that the client scrubs it)
- ``"midstream_error"``: send a few chunks, then drop the connection without finishing
- ``"bad_model"``: 404 ``model_not_found``

Every request is recorded in ``server.requests`` (method, path, headers, JSON body). Other test
modules use the ``fake_llm`` fixture: ``from fake_openai import fake_llm``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

DEFAULT_REPLY = (
    "开展谈心谈话要做到经常性、有针对性[1]。党支部书记应与每名党员每年至少谈心一次，"
    "做到“五必谈”[1][2]。谈话前要做好准备，谈话后要跟踪问效[2]。"
)
MODES = ("ok", "slow", "401", "429", "500", "midstream_error", "bad_model")


class _QuietServer(ThreadingHTTPServer):
    """Dropped connections are part of the script (mode "midstream_error"): no tracebacks on stderr."""

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        pass


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def model(self) -> str | None:
        return self.body.get("model")

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    def content_of(self, role: str) -> str:
        """Joined text of all messages with ``role`` ("system", "user", "assistant")."""
        return "\n".join(str(m.get("content", "")) for m in self.messages if m.get("role") == role)

    @property
    def system(self) -> str:
        return self.content_of("system")

    @property
    def user(self) -> str:
        return self.content_of("user")


class FakeOpenAI:
    """A started-on-demand fake server; use as a context manager or call start()/stop()."""

    def __init__(
        self,
        mode: str = "ok",
        reply: str = DEFAULT_REPLY,
        responder: Callable[[RecordedRequest], str] | None = None,
        chunks: int = 6,
        slow_seconds: float = 5.0,
        midstream_chunks: int = 2,
    ) -> None:
        self.mode = mode
        self.reply = reply
        self.responder = responder
        self.chunks = chunks
        self.slow_seconds = slow_seconds
        self.midstream_chunks = midstream_chunks
        self.requests: list[RecordedRequest] = []
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        handler = type("BoundHandler", (_Handler,), {"fake": self})
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- conveniences for tests ---------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    @property
    def last_request(self) -> RecordedRequest:
        assert self.chat_requests, "no chat request received"
        return self.chat_requests[-1]

    def reply_for(self, request: RecordedRequest) -> str:
        return self.responder(request) if self.responder is not None else self.reply

    def split(self, text: str) -> list[str]:
        """``text`` cut into up to ``self.chunks`` non-empty pieces."""
        n = max(1, min(self.chunks, len(text)))
        size = -(-len(text) // n) if text else 1
        return [text[i : i + size] for i in range(0, len(text), size)] or [""]

    def sleep(self, seconds: float) -> None:
        """Sleep that ends early when the server stops."""
        self._stopping.wait(seconds)


def unused_port() -> int:
    """A localhost port nothing listens on (for "connection refused")."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    """A started FakeOpenAI in mode "ok"; stopped after the test."""
    server = FakeOpenAI().start()
    try:
        yield server
    finally:
        server.stop()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeOpenAI  # set on the per-server subclass

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    # --- routing ---------------------------------------------------------------------------------

    def do_GET(self) -> None:
        request = self._record(body={})
        if request.path.rstrip("/") != "/v1/models":
            self._send_plain(404, "404 page not found")
        elif not self._send_mode_error(request):
            self._send_json(200, {"object": "list", "data": [_model_entry("fake-model")]})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            body = {}
        request = self._record(body=body)
        if request.path.rstrip("/") != "/v1/chat/completions":
            self._send_plain(404, "404 page not found")
            return
        if self._send_mode_error(request):
            return
        if self.fake.mode == "slow":
            self.fake.sleep(self.fake.slow_seconds)
        text = self.fake.reply_for(request)
        model = request.model or "fake-model"
        try:
            if self.fake.mode == "midstream_error":
                self._send_broken(text, model, stream=request.stream)
            elif request.stream:
                self._send_stream(text, model)
            else:
                self._send_json(200, _completion(text, model))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. its timeout fired first)

    # --- helpers ---------------------------------------------------------------------------------

    def _record(self, body: dict[str, Any]) -> RecordedRequest:
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = RecordedRequest(method=self.command, path=self.path, headers=headers, body=body)
        self.fake.requests.append(request)
        return request

    def _send_mode_error(self, request: RecordedRequest) -> bool:
        mode = self.fake.mode
        if mode == "401":
            key = request.headers.get("authorization", "").removeprefix("Bearer ")
            self._send_error(
                401, f"Incorrect API key provided: {key}.", "invalid_request_error", "invalid_api_key"
            )
        elif mode == "429":
            self._send_error(429, "Rate limit reached for requests.", "requests", "rate_limit_exceeded")
        elif mode == "500":
            self._send_error(
                500, "The server had an error while processing your request.", "server_error", None
            )
        elif mode == "bad_model":
            msg = f"The model `{request.model}` does not exist or you do not have access to it."
            self._send_error(404, msg, "invalid_request_error", "model_not_found")
        else:
            return False
        return True

    def _send_error(self, status: int, message: str, kind: str, code: str | None) -> None:
        self._send_json(status, {"error": {"message": message, "type": kind, "param": None, "code": code}})

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_plain(self, status: int, text: str) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _start_sse(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode("ascii") + data + b"\r\n")
        self.wfile.flush()

    def _write_event(self, payload: dict[str, Any] | str) -> None:
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        self._write_chunk(f"data: {text}\n\n".encode())

    def _send_stream(self, text: str, model: str) -> None:
        self._start_sse()
        for i, piece in enumerate(self.fake.split(text)):
            delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
            self._write_event(_chunk(delta, None, model))
        self._write_event(_chunk({}, "stop", model))
        self._write_event("[DONE]")
        self._write_chunk(b"")  # end of chunked body

    def _send_broken(self, text: str, model: str, *, stream: bool) -> None:
        """Part of the answer, then an abrupt close (no terminating chunk, no [DONE])."""
        if stream:
            self._start_sse()
            for piece in self.fake.split(text)[: self.fake.midstream_chunks]:
                self._write_event(_chunk({"role": "assistant", "content": piece}, None, model))
        else:
            data = json.dumps(_completion(text, model), ensure_ascii=False).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
        time.sleep(0.05)
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)


def _model_entry(model: str) -> dict[str, Any]:
    return {"id": model, "object": "model", "created": 1700000000, "owned_by": "fake"}


def _chunk(delta: dict[str, Any], finish_reason: str | None, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}],
    }


def _completion(text: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": len(text), "total_tokens": 10 + len(text)},
    }
