"""A loopback HTTP server that speaks the Messages API (plain and SSE), scripted per test, for the real SDK."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def message(text: str, stop_reason: str = "end_turn", model: str = "claude-haiku-5-5") -> dict[str, Any]:
    return {"id": "msg_fake", "type": "message", "role": "assistant", "model": model,
            "content": [{"type": "text", "text": text}], "stop_reason": stop_reason, "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": max(1, len(text) // 4)}}


class FakeAnthropic:
    """Each request pops the next scripted behaviour (the last one repeats)."""

    def __init__(self, route: Any = None) -> None:
        self.route = route  # optional: body -> behaviour, instead of the script
        self.script: deque[dict[str, Any]] = deque()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.stall_released = threading.Event()
        self.stall_finished = threading.Event()
        self._last: dict[str, Any] = {"kind": "text", "text": "MOVE ON\nWHY: fine"}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(body)
                server.headers.append(dict(self.headers))
                if server.route is not None:
                    beh = server.route(body)
                else:
                    beh = server.script.popleft() if server.script else server._last
                    server._last = beh
                try:
                    server.respond(self, body, beh)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "FakeAnthropic":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stall_released.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def then(self, **behaviour: Any) -> "FakeAnthropic":
        self.script.append(behaviour)
        return self

    # ---- responses ----
    def respond(self, h: BaseHTTPRequestHandler, body: dict, beh: dict) -> None:
        kind = beh.get("kind", "text")
        if beh.get("delay"):
            time.sleep(beh["delay"])
        if kind == "status":
            err = {"type": "error", "error": {"type": {429: "rate_limit_error", 529: "overloaded_error"}.get(
                beh["status"], "api_error"), "message": "scripted failure"}}
            self._json(h, beh["status"], err, {"retry-after-ms": "5"})
            return
        if kind == "malformed":
            raw = beh.get("raw", "this is not json {")
            self._raw(h, 200, raw.encode(), "application/json")
            return
        text = beh.get("text", "")
        stop = beh.get("stop_reason", "end_turn")
        if kind == "refusal":
            stop, text = "refusal", beh.get("text", "")
        if body.get("stream"):
            self._stream(h, text, stop, beh)
        else:
            self._json(h, 200, message(text, stop))

    def _json(self, h, status: int, obj: dict, headers: dict[str, str] | None = None) -> None:
        self._raw(h, status, json.dumps(obj).encode(), "application/json", headers)

    def _raw(self, h, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        h.send_response(status)
        h.send_header("content-type", ctype)
        h.send_header("content-length", str(len(data)))
        h.send_header("request-id", "req_fake")
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)
        h.wfile.flush()

    def _stream(self, h, text: str, stop: str, beh: dict) -> None:
        h.send_response(200)
        h.send_header("content-type", "text/event-stream")
        h.send_header("cache-control", "no-cache")
        h.send_header("connection", "close")
        h.end_headers()

        def send(event: str, data: dict) -> None:
            h.wfile.write(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())
            h.wfile.flush()

        start = message("", None)
        start["content"] = []
        send("message_start", {"type": "message_start", "message": start})
        send("content_block_start", {"type": "content_block_start", "index": 0,
                                     "content_block": {"type": "text", "text": ""}})
        if beh.get("ttft"):
            time.sleep(beh["ttft"])
        chunk = beh.get("chunk", 6)
        stall_after = beh.get("stall_after")
        for i in range(0, len(text), chunk):
            piece = text[i : i + chunk]
            send("content_block_delta", {"type": "content_block_delta", "index": 0,
                                         "delta": {"type": "text_delta", "text": piece}})
            if stall_after is not None and i + chunk >= stall_after:
                self.stall_released.wait(beh.get("stall_seconds", 30))
                self.stall_finished.set()
                return
            if beh.get("gap"):
                time.sleep(beh["gap"])
        send("content_block_stop", {"type": "content_block_stop", "index": 0})
        send("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                               "usage": {"output_tokens": 10}})
        send("message_stop", {"type": "message_stop"})
