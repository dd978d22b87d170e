"""The fake Messages API is only worth testing against if it is as strict as the real one: these tests pin down that
it rejects, thinks, streams and fails the way claude-haiku-5-5 does (the requests the old Claude path sent fail
here as they failed for real), using the real SDK as the client."""

from __future__ import annotations

import asyncio
import json
import typing

import anthropic
import httpx2
import pytest
from pydantic import BaseModel

from mockint.interview.claude_schema import FLAGS, score_schema
from mockint.models import Flag

from .fake_anthropic import FakeAnthropic, check_schema

KEY = "sk-ant-test-fake"
USER = [{"role": "user", "content": "Hello"}]


@pytest.fixture
def srv():
    with FakeAnthropic() as s:
        yield s


def client(srv, **kw) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(api_key=kw.pop("api_key", KEY), base_url=srv.url, max_retries=0, **kw)


def create(srv, **kw):
    async def go():
        c = client(srv)
        try:
            return await c.messages.create(**{"model": "claude-haiku-5-5", "max_tokens": 1000,
                                              "messages": USER, **kw})
        finally:
            await c.close()
    return asyncio.run(go())


def events(srv, **kw) -> list:
    async def go():
        c = client(srv)
        out = []
        try:
            async with c.messages.stream(**{"model": "claude-haiku-5-5", "max_tokens": 1000, "messages": USER,
                                             **kw}) as stream:
                async for ev in stream:
                    out.append(ev)
        finally:
            await c.close()
        return out
    return asyncio.run(go())


class OldScoreOut(BaseModel):
    """The shape the Claude path used to send: an untyped STAR+T dict, free-form flags, unbounded ints."""

    overall: int
    flags: list[str]
    star: dict[str, bool] | None = None


def test_the_model_thinks_by_default_and_thinking_counts_toward_max_tokens(srv):
    # the old follow-up request: no thinking parameter, max_tokens 300
    srv.then(kind="text", text="ASK: Why four threads?\nWHY: pool.")
    msg = create(srv, max_tokens=300)
    assert msg.stop_reason == "max_tokens"
    assert [b.type for b in msg.content] == ["thinking"]  # medium effort thinking ate the whole budget
    assert msg.usage.output_tokens == 300
    # told not to think, the same budget is plenty
    msg = create(srv, max_tokens=300, thinking={"type": "disabled"})
    assert msg.stop_reason == "end_turn" and [b.type for b in msg.content] == ["text"]


def test_thinking_streams_before_text_with_pings(srv):
    srv.then(kind="text", text="Hello there.", think_tokens=100)
    evs = events(srv, thinking={"type": "adaptive"})
    starts = [e.content_block.type for e in evs if e.type == "content_block_start"]
    assert starts == ["thinking", "text"]
    deltas = [e.delta.type for e in evs if e.type == "content_block_delta"]
    assert deltas.index("signature_delta") < deltas.index("text_delta")
    assert "ping" not in [e.type for e in evs]  # the SDK swallows pings: they are there on the wire...
    raw = _raw_stream(srv, {"model": "claude-haiku-5-5", "max_tokens": 100, "messages": USER, "stream": True})
    assert "event: ping" in raw  # ...as this raw read shows


def _raw_stream(srv, body: dict) -> str:
    r = httpx2.post(srv.url + "/v1/messages", json=body, headers={"x-api-key": KEY}, timeout=10)
    return r.text


@pytest.mark.parametrize("kw, message", [
    # this SDK no longer takes sampling parameters as arguments: they can only arrive as extra body fields
    (dict(extra_body={"temperature": 0.2}), "`temperature` is deprecated"),
    (dict(extra_body={"top_p": 0.9}), "`top_p` is deprecated"),
    (dict(extra_body={"top_k": 5}), "`top_k` is deprecated"),
    (dict(messages=USER + [{"role": "assistant", "content": "{"}]), "Prefilling assistant messages"),
    (dict(thinking={"type": "enabled", "budget_tokens": 2000}, max_tokens=4000), "thinking.type.enabled"),
    (dict(thinking={"type": "disabled"}, output_config={"effort": "max"}), "cannot be disabled"),
    (dict(output_config={"effort": "extreme"}), "output_config.effort"),
    (dict(max_tokens=200_000, timeout=10), "maximum allowed number of output tokens"),
])
def test_requests_the_model_rejects_are_400(srv, kw, message):
    with pytest.raises(anthropic.BadRequestError) as e:
        create(srv, **kw)
    assert e.value.type == "invalid_request_error" and message in e.value.api_message


def test_structured_output_schemas_are_checked_like_the_api(srv):
    old = anthropic.transform_schema(OldScoreOut)
    with_bounds = {"type": "object", "additionalProperties": False, "required": ["overall"],
                   "properties": {"overall": {"type": "integer", "minimum": 0, "maximum": 10}}}
    open_object = {"type": "object", "properties": {"overall": {"type": "integer"}}, "required": ["overall"]}
    assert check_schema(old) is None  # the SDK's transform makes the old schema legal...
    assert "maximum" in (check_schema(with_bounds) or "") or "minimum" in (check_schema(with_bounds) or "")
    assert "additionalProperties" in (check_schema(open_object) or "")
    assert "recursive" in check_schema({"$defs": {"N": {"type": "object", "additionalProperties": False,
                                                         "properties": {"n": {"$ref": "#/$defs/N"}}}},
                                        "$ref": "#/$defs/N"})
    assert "minItems" in check_schema({"type": "array", "items": {"type": "string"}, "minItems": 2})
    for schema in (with_bounds, open_object):
        with pytest.raises(anthropic.BadRequestError) as e:
            create(srv, output_config={"format": {"type": "json_schema", "schema": schema}})
        assert "output_config.format.schema" in e.value.api_message
    # ...but under constrained decoding an object schema with no properties can only be {}: STAR+T comes back empty,
    # while any made-up flag passes the loose list[str]
    srv.then(kind="json", data={"overall": 7, "flags": ["great_answer"], "star": {"situation": True, "result": True}})
    msg = create(srv, output_config={"format": {"type": "json_schema", "schema": old}})
    reply = json.loads(msg.content[-1].text)
    assert reply["star"] == {} and reply["flags"] == ["great_answer"]


def test_a_script_the_schema_cannot_produce_fails_the_test(bank):
    schema = score_schema(bank.question("node-event-loop-phases"))
    with pytest.raises(AssertionError, match="great_answer"):
        with FakeAnthropic() as strict:
            strict.then(kind="json", data={"flags": ["great_answer"]})
            create(strict, output_config={"format": {"type": "json_schema", "schema": schema}})


def test_every_question_schema_is_accepted_and_matches_the_contract(bank):
    assert set(FLAGS) == set(typing.get_args(Flag))
    for q in bank.questions:
        schema = score_schema(q)
        assert check_schema(schema) is None, q.id
        assert ("star" in schema["properties"]) == (q.kind == "story")
        assert set(schema["$defs"]["Hit"]["properties"]["id"]["enum"]) == {k.id for k in q.key_points}
        text = json.dumps(schema)
        assert '"minimum"' not in text and '"maximum"' not in text
    story = score_schema(next(q for q in bank.questions if q.kind == "story"))
    assert story["$defs"]["StarT"]["required"] == ["situation", "task", "action", "result", "technical"]


@pytest.mark.parametrize("status, etype, cls", [
    (401, "authentication_error", anthropic.AuthenticationError),
    (403, "permission_error", anthropic.PermissionDeniedError),
    (404, "not_found_error", anthropic.NotFoundError),
    (413, "request_too_large", anthropic.APIStatusError),
    (429, "rate_limit_error", anthropic.RateLimitError),
    (500, "api_error", anthropic.InternalServerError),
    (529, "overloaded_error", anthropic.InternalServerError),
])
def test_error_statuses_have_the_real_body_shape(srv, status, etype, cls):
    srv.then(kind="status", status=status)
    with pytest.raises(cls) as e:
        create(srv)
    err = e.value
    assert err.status_code == status and err.type == etype and err.api_message
    assert err.body["type"] == "error" and err.body["request_id"].startswith("req_")
    assert err.response.headers["request-id"].startswith("req_")
    assert err.response.headers["x-should-retry"] == ("true" if status in (429, 500, 529) else "false")
    if status == 429:
        assert err.response.headers["retry-after"] == "20"  # whole seconds, as long as the API really asks


def test_unknown_model_and_refused_key(srv):
    with pytest.raises(anthropic.NotFoundError):
        create(srv, model="claude-haiku-5-5-20990101")
    with FakeAnthropic(keys={"sk-good"}) as strict:
        async def go():
            c = client(strict, api_key="sk-bad")
            try:
                await c.messages.create(model="claude-haiku-5-5", max_tokens=10, messages=USER)
            finally:
                await c.close()
        with pytest.raises(anthropic.AuthenticationError):
            asyncio.run(go())
    with FakeAnthropic(max_request_bytes=1000) as small:
        with pytest.raises(anthropic.APIStatusError) as e:
            create(small, messages=[{"role": "user", "content": "x" * 2000}])
        assert e.value.status_code == 413


def test_error_event_mid_stream_is_a_status_error_with_status_200(srv):
    srv.then(kind="error_event", text="ASK: What happens when", error_type="overloaded_error")
    with pytest.raises(anthropic.APIStatusError) as e:
        events(srv, thinking={"type": "disabled"})
    assert e.value.status_code == 200 and e.value.type == "overloaded_error"  # not a "529": the stream had begun


def test_refusal_after_partial_text(srv):
    srv.then(kind="refusal", text="ASK: Tell me how you would")
    evs = events(srv, thinking={"type": "disabled"})
    text = "".join(e.text for e in evs if e.type == "text")
    stop = [e for e in evs if e.type == "message_delta"][0]
    assert text == "ASK: Tell me how you would" and stop.delta.stop_reason == "refusal"
    assert stop.delta.stop_details.type == "refusal"


def test_dropped_connection_raises_a_transport_error(srv):
    srv.then(kind="drop", text="ASK: Walk me through the")
    with pytest.raises(httpx2.TransportError):
        events(srv, thinking={"type": "disabled"})


def test_usage_counts_input_and_thinking(srv):
    srv.then(kind="text", text="x" * 400, think_tokens=150)
    msg = create(srv, system="s" * 4000, output_config={"effort": "low"})
    assert msg.usage.input_tokens >= 1000 and msg.usage.output_tokens == 150 + 100
    assert srv.responses[-1]["thinking_tokens"] == 150
