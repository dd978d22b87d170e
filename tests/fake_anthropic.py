"""A loopback server that behaves like the Anthropic Messages API serving claude-haiku-5-5, for the real SDK.

It is strict where the real API is strict, so a request that would fail for real fails here too:
- **Validation** in the API's order: 413 over the size limit, 401 without an accepted key, 404 for an unknown model,
  400 for `temperature`/`top_p`/`top_k`, an assistant prefill, `thinking.type: "enabled"` (Haiku 5.5 thinks
  adaptively only), bad effort values, and an `output_config.format` schema that structured outputs do not support
  (numeric or string bounds, `maxItems`, `minItems` above 1, objects without `additionalProperties: false`,
  recursive or remote `$ref`, `oneOf`/`not`/conditionals, complex enum values, too many optional properties).
- **A model that thinks by default** (adaptive, effort medium): a thinking block streams before the text and its
  tokens count toward `max_tokens`, so a small `max_tokens` stops the reply before the text is finished (or begun).
- **Constrained decoding**: a structured reply always matches the schema that was sent; a property the schema has no
  room for cannot be generated, so an object schema without properties can only ever be `{}`.
- **Streams like the real one**: chunked SSE with `ping` events, thinking/signature deltas, `error` events in the
  middle of a 200 stream, refusals after partial text (`stop_details` in `message_delta`), dropped connections.
- **Errors with the real body shape** `{"type": "error", "error": {"type", "message"}, "request_id"}`, a
  `request-id` header, `x-should-retry`, and `retry-after` in whole seconds on rate limits.

Tests script one behaviour per request with `then(**behaviour)` (the last one repeats) or route each request with
`route=lambda body: behaviour`. Behaviour kinds: "text" (what the model writes, verbatim: bypasses constrained
decoding, for malformed-output tests), "json" (`data`, conformed to the sent schema like constrained decoding),
"refusal" (partial `text`, then stop_reason refusal), "status" (an HTTP error: `status`, optional `retry_after`,
`message`), "error_event" (partial `text`, then an SSE `error` event: `error_type`), "drop" (partial `text`, then
the connection closes mid-body), "malformed" (a 200 whose body is not the API's JSON). Timing options: `delay`
(before the response), `ttft` (before the first content block), `chunk`/`gap` (characters per text delta and the
pause between them), `stall_after`/`stall_seconds`, `think_tokens`/`think_seconds`.
"""

from __future__ import annotations

import json
import math
import threading
import time
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

MODELS = {"claude-haiku-5-5"}
MAX_OUTPUT = 128_000
EFFORTS = ("low", "medium", "high", "xhigh", "max")
THINK_TOKENS = {"low": 150, "medium": 600, "high": 1500, "xhigh": 3000, "max": 6000}
"""Thinking tokens the fake spends per effort when a behaviour does not say (Haiku 5.5 defaults to medium)."""
ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
               404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error", 500: "api_error",
               529: "overloaded_error"}
ERROR_MESSAGES = {
    401: "invalid x-api-key",
    403: "Your API key does not have permission to use the specified resource.",
    404: "model: claude-haiku-5-5",
    413: "Request exceeds the maximum allowed number of bytes.",
    429: ("This request would exceed the rate limit for your organization of 50 requests per minute. "
          "For details, refer to: https://docs.claude.com/en/api/rate-limits."),
    500: "Internal server error",
    529: "Overloaded",
}
STRING_FORMATS = {"date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"}
UNSUPPORTED = {
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",  # numeric bounds
    "minLength", "maxLength", "pattern",  # string bounds
    "maxItems", "uniqueItems", "contains", "prefixItems",  # array bounds
    "oneOf", "not", "if", "then", "else", "dependentRequired", "dependentSchemas",
    "patternProperties", "propertyNames", "minProperties", "maxProperties", "unevaluatedProperties",
}
ALLOWED = {"type", "properties", "required", "additionalProperties", "items", "enum", "const", "anyOf", "allOf",
           "$ref", "$defs", "definitions", "description", "title", "format", "minItems", "default", "examples"}


def tokens(text: str) -> int:
    """Approximate token count (characters / 4), the same rule the README's cost estimate states."""
    return math.ceil(len(text) / 4) if text else 0


class ScriptError(AssertionError):
    """A scripted reply that the real model could not have produced for this request (a broken test fixture)."""


class FakeAnthropic:
    """Each request pops the next scripted behaviour (the last one repeats), or asks `route`."""

    def __init__(self, route: Callable[[dict], dict] | None = None, keys: set[str] | None = None,
                 max_request_bytes: int = 32 * 1024 * 1024) -> None:
        self.route = route
        self.keys = keys  # None: any non-empty key is accepted
        self.max_request_bytes = max_request_bytes
        self.script: deque[dict[str, Any]] = deque()
        self.requests: list[dict[str, Any]] = []      # every request body that reached the server
        self.headers: list[dict[str, str]] = []
        self.responses: list[dict[str, Any]] = []     # per request: status, stop_reason, usage
        self.script_errors: list[str] = []
        self.stall_released = threading.Event()
        self.stall_finished = threading.Event()
        self._last: dict[str, Any] = {"kind": "text", "text": "MOVE ON\nWHY: fine"}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                pass

            def do_POST(self) -> None:
                try:
                    server.handle(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "FakeAnthropic":
        self.thread.start()
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.stall_released.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.script_errors and exc_type is None:
            raise ScriptError("the fake was scripted with replies the model could not produce:\n"
                              + "\n".join(self.script_errors))

    def then(self, **behaviour: Any) -> "FakeAnthropic":
        self.script.append(behaviour)
        return self

    # ---- bookkeeping for tests ----
    def bodies(self, kind: str) -> list[dict]:
        """Requests of one kind: "score" (structured output) or "follow_up" (free text)."""
        return [b for b in self.requests if request_kind(b) == kind]

    # ---- the API ----
    def handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("content-length", 0))
        raw = h.rfile.read(length) if length else b""
        if length > self.max_request_bytes:  # Cloudflare answers before the API sees the request
            self._error(h, 413)
            return
        bearer = h.headers.get("authorization", "")  # this SDK sends the key as a bearer token
        key = h.headers.get("x-api-key", "") or (bearer[7:] if bearer.lower().startswith("bearer ") else "")
        if not key or (self.keys is not None and key not in self.keys):
            self._error(h, 401, "x-api-key header is required" if not key else None)
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._error(h, 400, "There was an error parsing the body of your request.")
            return
        with self._lock:
            self.requests.append(body)
            self.headers.append(dict(h.headers))
            if self.route is not None:
                beh = self.route(body)
            else:
                beh = self.script.popleft() if self.script else self._last
                self._last = beh
        if beh.get("delay"):
            time.sleep(beh["delay"])
        if beh.get("kind") == "status":  # scripted failures come before validation, like an outage would
            self._error(h, beh["status"], beh.get("message"), beh.get("retry_after"), beh.get("should_retry"))
            return
        if body.get("model") not in MODELS:
            self._error(h, 404, f"model: {body.get('model')}")
            return
        problem = validate(body)
        if problem:
            self._error(h, 400, problem)
            return
        if beh.get("kind") == "malformed":
            self._raw(h, 200, beh.get("raw", "this is not json {").encode(), "application/json")
            return
        reply = self.compose(body, beh)
        if body.get("stream"):
            self._stream(h, reply, beh)
        else:
            self._message(h, reply)

    def compose(self, body: dict, beh: dict) -> dict[str, Any]:
        """What the model produces for this request: thinking, text, stop reason, usage (tokens counted)."""
        kind = beh.get("kind", "text")
        fmt = ((body.get("output_config") or {}).get("format") or {})
        text = beh.get("text", "")
        if kind == "json":
            try:
                data = conform(beh["data"], fmt["schema"], fmt["schema"]) if fmt else beh["data"]
            except (ScriptError, KeyError) as e:
                self.script_errors.append(f"request {len(self.requests)}: {e}")
                data = beh.get("data")
            text = json.dumps(data)
        thinking = body.get("thinking") or {"type": "adaptive"}  # Haiku 5.5 thinks unless told not to
        effort = (body.get("output_config") or {}).get("effort") or "medium"
        think = 0 if thinking["type"] == "disabled" else beh.get("think_tokens", THINK_TOKENS[effort])
        budget = body["max_tokens"]
        stop = {"refusal": "refusal"}.get(kind, beh.get("stop_reason", "end_turn"))
        think = min(think, budget)
        room = (budget - think) * 4
        if len(text) > room:
            text, stop = text[:room], "max_tokens"
        if think >= budget:
            text, stop = "", "max_tokens"
        display = thinking.get("display", "summarized")
        usage = {"input_tokens": tokens(json.dumps([body.get("system"), body.get("messages"),
                                                    body.get("output_config")])),
                 "output_tokens": think + tokens(text), "thinking_tokens": think}
        rec = {"status": 200, "kind": request_kind(body), "stop_reason": stop, **usage}
        with self._lock:
            self.responses.append(rec)
        return {"think": think, "thinking_text": _thinking_text(think) if display != "omitted" else "",
                "text": text, "stop": stop, "usage": usage, "kind": kind,
                "has_text": think < budget and (bool(text) or kind != "refusal")}

    # ---- responses ----
    def _error(self, h, status: int, message: str | None = None, retry_after: float | None = None,
               should_retry: bool | None = None) -> None:
        err = {"type": "error", "error": {"type": ERROR_TYPES.get(status, "api_error"),
                                          "message": message or ERROR_MESSAGES.get(status, "error")},
               "request_id": _request_id()}
        headers = {"x-should-retry": "true" if (should_retry if should_retry is not None
                                                 else status in (408, 409, 429) or status >= 500) else "false"}
        if status == 429:
            wait = 20 if retry_after is None else retry_after
            headers["retry-after"] = str(int(math.ceil(wait)))  # whole seconds, like the API
            headers["anthropic-ratelimit-requests-limit"] = "50"
            headers["anthropic-ratelimit-requests-remaining"] = "0"
            headers["anthropic-ratelimit-requests-reset"] = time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + wait))
        elif retry_after is not None:
            headers["retry-after"] = str(int(math.ceil(retry_after)))
        with self._lock:
            self.responses.append({"status": status, "error": err["error"]["type"]})
        self._raw(h, status, json.dumps(err).encode(), "application/json", headers)

    def _raw(self, h, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        h.send_response(status)
        h.send_header("content-type", ctype)
        h.send_header("content-length", str(len(data)))
        h.send_header("request-id", _request_id())
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)
        h.wfile.flush()

    def _message(self, h, r: dict) -> None:
        content: list[dict] = []
        if r["think"]:
            content.append({"type": "thinking", "thinking": r["thinking_text"], "signature": _signature()})
        if r["has_text"]:
            content.append({"type": "text", "text": r["text"]})
        msg = _message_shell(r["stop"], r["usage"])
        msg["content"] = content
        if r["stop"] == "refusal":
            msg["stop_details"] = {"type": "refusal", "category": None, "explanation": None}
        self._raw(h, 200, json.dumps(msg).encode(), "application/json")

    def _stream(self, h, r: dict, beh: dict) -> None:
        h.send_response(200)
        h.send_header("content-type", "text/event-stream; charset=utf-8")
        h.send_header("cache-control", "no-cache")
        h.send_header("transfer-encoding", "chunked")
        h.send_header("request-id", _request_id())
        h.send_header("connection", "close")
        h.end_headers()
        h.close_connection = True

        def send(event: str, data: dict) -> None:
            payload = f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()
            h.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
            h.wfile.flush()

        def end() -> None:
            h.wfile.write(b"0\r\n\r\n")
            h.wfile.flush()

        start = _message_shell(None, {**r["usage"], "output_tokens": 1})
        start["content"] = []
        send("message_start", {"type": "message_start", "message": start})
        send("ping", {"type": "ping"})
        index = 0
        if r["think"]:
            send("content_block_start", {"type": "content_block_start", "index": 0,
                                         "content_block": {"type": "thinking", "thinking": "", "signature": ""}})
            pieces = [r["thinking_text"][i:i + 80] for i in range(0, len(r["thinking_text"]), 80)]
            pause = beh.get("think_seconds", 0) / max(1, len(pieces))
            for n, piece in enumerate(pieces):
                send("content_block_delta", {"type": "content_block_delta", "index": 0,
                                             "delta": {"type": "thinking_delta", "thinking": piece}})
                if pause:
                    time.sleep(pause)
                if n % 8 == 7:
                    send("ping", {"type": "ping"})
            if not pieces and beh.get("think_seconds"):
                time.sleep(beh["think_seconds"])
                send("ping", {"type": "ping"})
            send("content_block_delta", {"type": "content_block_delta", "index": 0,
                                         "delta": {"type": "signature_delta", "signature": _signature()}})
            send("content_block_stop", {"type": "content_block_stop", "index": 0})
            index = 1
        if beh.get("ttft"):
            time.sleep(beh["ttft"])
        text, kind = r["text"], r["kind"]
        if r["has_text"]:
            send("content_block_start", {"type": "content_block_start", "index": index,
                                         "content_block": {"type": "text", "text": ""}})
            chunk = beh.get("chunk", 6)
            stall_after = beh.get("stall_after")
            for i in range(0, len(text), chunk):
                send("content_block_delta", {"type": "content_block_delta", "index": index,
                                             "delta": {"type": "text_delta", "text": text[i:i + chunk]}})
                if stall_after is not None and i + chunk >= stall_after:
                    self.stall_released.wait(beh.get("stall_seconds", 30))
                    self.stall_finished.set()
                    return
                if beh.get("gap"):
                    time.sleep(beh["gap"])
        if kind == "error_event":  # the API fails after the 200 was sent: an SSE error, then the end
            send("error", {"type": "error", "error": {"type": beh.get("error_type", "overloaded_error"),
                                                      "message": beh.get("message", "Overloaded")},
                           "request_id": _request_id()})
            end()
            return
        if kind == "drop":  # the connection goes away without the final chunk
            return
        if r["has_text"]:
            send("content_block_stop", {"type": "content_block_stop", "index": index})
        delta: dict[str, Any] = {"stop_reason": r["stop"], "stop_sequence": None}
        if r["stop"] == "refusal":
            delta["stop_details"] = {"type": "refusal", "category": None, "explanation": None}
        send("message_delta", {"type": "message_delta", "delta": delta,
                               "usage": {"output_tokens": r["usage"]["output_tokens"]}})
        send("message_stop", {"type": "message_stop"})
        end()


def request_kind(body: dict) -> str:
    return "score" if ((body.get("output_config") or {}).get("format")) else "follow_up"


def _request_id() -> str:
    return "req_" + uuid.uuid4().hex[:24]


def _signature() -> str:
    return "EqQBCkYIBxgCKkD" + uuid.uuid4().hex


def _thinking_text(n_tokens: int) -> str:
    base = "Weighing the candidate's claims against the rubric and the misconceptions. "
    return (base * (n_tokens * 4 // len(base) + 1))[: n_tokens * 4]


def _message_shell(stop: str | None, usage: dict) -> dict[str, Any]:
    return {"id": "msg_" + uuid.uuid4().hex[:24], "type": "message", "role": "assistant",
            "model": "claude-haiku-5-5", "content": [], "stop_reason": stop, "stop_sequence": None,
            "usage": {"input_tokens": usage["input_tokens"], "output_tokens": usage["output_tokens"],
                      "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}


# ---- request validation (what the real API answers with 400) ----
def validate(body: dict) -> str | None:
    """The first reason the real API would reject this request with a 400, or None."""
    mt = body.get("max_tokens")
    if not isinstance(mt, int) or isinstance(mt, bool) or mt < 1:
        return "max_tokens: Field required" if mt is None else "max_tokens: must be a positive integer"
    if mt > MAX_OUTPUT:
        return f"max_tokens: {mt} > {MAX_OUTPUT}, which is the maximum allowed number of output tokens for " \
               "claude-haiku-5-5"
    for p in ("temperature", "top_p", "top_k"):
        if p in body and not (p == "temperature" and body[p] == 1):
            return f"`{p}` is deprecated for this model."
    msgs = body.get("messages")
    if not isinstance(msgs, list) or not msgs:
        return "messages: at least one message is required"
    if msgs[-1].get("role") == "assistant":
        return "Prefilling assistant messages is not supported for this model."
    thinking = body.get("thinking")
    oc = body.get("output_config") or {}
    effort = oc.get("effort")
    if effort is not None and effort not in EFFORTS:
        return f"output_config.effort: Input should be {', '.join(repr(e) for e in EFFORTS)}"
    if thinking is not None:
        t = thinking.get("type")
        if t == "enabled":
            return ('"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and '
                    '"output_config.effort" to control thinking behavior.')
        if t not in ("adaptive", "disabled"):
            return f"thinking.type: Input tag '{t}' found using 'type' does not match any of the expected tags: " \
                   "'adaptive', 'disabled'"
        if t == "disabled" and effort in ("xhigh", "max"):
            return f"thinking cannot be disabled with output_config.effort '{effort}'; use 'high' or lower"
        if t == "adaptive" and thinking.get("display") not in (None, "summarized", "omitted"):
            return "thinking.display: Input should be 'summarized' or 'omitted'"
    if "output_format" in body and oc.get("format"):
        return "output_format and output_config.format cannot both be set"
    fmt = oc.get("format") or body.get("output_format")
    if fmt is not None:
        if fmt.get("type") != "json_schema" or not isinstance(fmt.get("schema"), dict):
            return "output_config.format: expected {\"type\": \"json_schema\", \"schema\": {...}}"
        problem = check_schema(fmt["schema"])
        if problem:
            return f"output_config.format.schema: {problem}"
    return None


def check_schema(schema: dict) -> str | None:
    """Why structured outputs would reject this JSON schema, or None (the documented supported subset)."""
    counts = {"optional": 0, "unions": 0}
    try:
        _check(schema, schema, "#", counts, ())
    except ValueError as e:
        return str(e)
    if counts["optional"] > 24:
        return f"schema has {counts['optional']} optional properties; at most 24 are supported"
    if counts["unions"] > 16:
        return f"schema has {counts['unions']} union types (anyOf / type arrays); at most 16 are supported"
    return None


def _check(node: Any, root: dict, path: str, counts: dict, refs: tuple[str, ...]) -> None:
    if not isinstance(node, dict):
        raise ValueError(f"{path}: a schema must be an object")
    for k in node:
        if k in UNSUPPORTED:
            raise ValueError(f"{path}: '{k}' is not supported by structured outputs")
        if k not in ALLOWED:
            raise ValueError(f"{path}: unknown keyword '{k}'")
    for defs in ("$defs", "definitions"):
        for name, sub in (node.get(defs) or {}).items():
            _check(sub, root, f"{path}/{defs}/{name}", counts, refs)
    if "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise ValueError(f"{path}: only local $ref is supported, got {ref!r}")
        if ref in refs:
            raise ValueError(f"{path}: recursive schemas are not supported ({ref})")
        _check(_resolve(root, ref), root, ref, counts, refs + (ref,))
        return
    if "enum" in node:
        enum = node["enum"]
        if not isinstance(enum, list) or not enum:
            raise ValueError(f"{path}: enum must be a non-empty array")
        if any(isinstance(v, (dict, list)) for v in enum):
            raise ValueError(f"{path}: enum values must be strings, numbers, booleans or null")
    if "anyOf" in node or "allOf" in node:
        counts["unions"] += "anyOf" in node
        for sub in node.get("anyOf", []) + node.get("allOf", []):
            _check(sub, root, path + "/anyOf", counts, refs)
    t = node.get("type")
    types = t if isinstance(t, list) else [t] if t is not None else []
    if isinstance(t, list) and len(t) > 1:
        counts["unions"] += 1
    if "format" in node and node["format"] not in STRING_FORMATS:
        raise ValueError(f"{path}: string format '{node['format']}' is not supported")
    if "minItems" in node and node["minItems"] not in (0, 1):
        raise ValueError(f"{path}: minItems of {node['minItems']} is not supported (only 0 or 1)")
    if "object" in types:
        if node.get("additionalProperties") is not False:
            raise ValueError(f"{path}: for 'object' type, 'additionalProperties' must be explicitly set to false")
        props = node.get("properties") or {}
        required = node.get("required") or []
        unknown = [r for r in required if r not in props]
        if unknown:
            raise ValueError(f"{path}: required property {unknown[0]!r} is not in properties")
        counts["optional"] += len([p for p in props if p not in required])
        for name, sub in props.items():
            _check(sub, root, f"{path}/properties/{name}", counts, refs)
    elif "additionalProperties" in node or "properties" in node:
        raise ValueError(f"{path}: 'properties' and 'additionalProperties' need type 'object'")
    if "array" in types and "items" in node:
        _check(node["items"], root, path + "/items", counts, refs)
    if not types and not any(k in node for k in ("enum", "const", "anyOf", "allOf", "$ref")):
        raise ValueError(f"{path}: a schema needs 'type', 'enum', 'const', 'anyOf', 'allOf' or '$ref'")


def _resolve(root: dict, ref: str) -> dict:
    node: Any = root
    for part in ref[2:].split("/"):
        if not isinstance(node, dict) or part not in node:
            raise ValueError(f"$ref {ref!r} does not resolve")
        node = node[part]
    return node


# ---- constrained decoding ----
def conform(value: Any, schema: dict, root: dict, path: str = "$") -> Any:
    """`value` as the model could have generated it under `schema`: properties the schema has no room for are not
    generated, missing required ones are generated empty; anything else that cannot fit is a ScriptError."""
    if "$ref" in schema:
        return conform(value, _resolve(root, schema["$ref"]), root, path)
    if "anyOf" in schema:
        for variant in schema["anyOf"]:
            try:
                return conform(value, variant, root, path)
            except ScriptError:
                continue
        raise ScriptError(f"{path}: {value!r} matches no variant of anyOf")
    if "enum" in schema:
        if value not in schema["enum"]:
            raise ScriptError(f"{path}: {value!r} is not one of {schema['enum']}")
        return value
    if "const" in schema:
        if value != schema["const"]:
            raise ScriptError(f"{path}: {value!r} is not {schema['const']!r}")
        return value
    t = schema.get("type")
    types = t if isinstance(t, list) else [t]
    if value is None and "null" in types:
        return None
    if "object" in types and isinstance(value, dict):
        props = schema.get("properties") or {}
        out = {}
        for name, sub in props.items():
            if name in value:
                out[name] = conform(value[name], sub, root, f"{path}.{name}")
            elif name in (schema.get("required") or []):
                out[name] = _empty(sub, root)
        return out  # keys outside `properties` cannot be generated under additionalProperties: false
    if "array" in types and isinstance(value, list):
        items = schema.get("items")
        return [conform(v, items, root, f"{path}[{i}]") if items else v for i, v in enumerate(value)]
    if "string" in types and isinstance(value, str):
        return value
    if "integer" in types and isinstance(value, int) and not isinstance(value, bool):
        return value
    if "number" in types and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if "boolean" in types and isinstance(value, bool):
        return value
    raise ScriptError(f"{path}: {value!r} cannot be generated for a schema of type {t!r}")


def _empty(schema: dict, root: dict) -> Any:
    if "$ref" in schema:
        return _empty(_resolve(root, schema["$ref"]), root)
    if "anyOf" in schema:
        return _empty(schema["anyOf"][-1], root)
    if "enum" in schema:
        return schema["enum"][0]
    t = schema.get("type")
    t = t[0] if isinstance(t, list) else t
    if t == "object":
        req = schema.get("required") or []
        return {k: _empty(v, root) for k, v in (schema.get("properties") or {}).items() if k in req}
    return {"array": [], "string": "", "integer": 0, "number": 0, "boolean": False, "null": None}.get(t)
