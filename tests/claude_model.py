"""A well-behaved stand-in for Claude behind tests/fake_anthropic.py: it reads each request like the model would (the
question id in the system prompt, the candidate's words in the user turn, the enums of the schema that was sent) and
answers with replies of realistic length. Faults are injected per call kind: `faults[("follow_up", 1)]` replaces the
first follow-up request's behaviour, `faults[("score", 2)]` the second score's."""

from __future__ import annotations

import html
import re
import threading
from typing import Any, Callable

from .fake_anthropic import request_kind

FOLLOW_UP = ("ASK: You said {quote}. What would break first if traffic grew ten times overnight? "
             "Walk me through how you would notice it.\nPROBES: {probes}\n"
             "WHY: Probes whether the mechanism holds under load and how the candidate would observe it.")
STRENGTHS = ["You explained the mechanism step by step instead of listing terms, which is what a senior answer needs.",
             "You tied the design to a concrete production incident and said what you measured before and after.",
             "You named the trade-off explicitly and said when you would choose the other option."]
IMPROVEMENTS = ["Say how you would detect the failure in production: which metric, which alert, which threshold.",
                "Give one number for the limit you mentioned, such as the pool size or the latency budget you used.",
                "Close with the trade-off you accepted, so the interviewer hears that you weighed the alternatives."]


def question_id(body: dict) -> str:
    m = re.search(r'<question id="([^"]+)"', body.get("system") or "")
    return m.group(1) if m else "?"


def answers(body: dict) -> list[str]:
    content = body["messages"][-1]["content"]
    return [html.unescape(a) for a in re.findall(r"<candidate_answer>(.*?)</candidate_answer>", content, re.S)]


def enum_of(schema: dict, *path: str) -> list[str]:
    node: Any = schema
    for p in path:
        node = node[p]
    return list(node.get("enum") or node["anyOf"][0]["enum"])


def score_data(body: dict, **over: Any) -> dict[str, Any]:
    """A plausible score for this request, using only ids the schema allows and quotes from the candidate's words."""
    schema = body["output_config"]["format"]["schema"]
    ids = enum_of(schema, "$defs", "Hit", "properties", "id")
    said = [a for a in answers(body) if a.strip() and a != "(no answer)"]
    words = said[0].split() if said else []
    hits = [{"id": ids[0], "quote": " ".join(words[:8])}] if len(words) >= 8 else []
    data: dict[str, Any] = {
        "key_points_hit": hits, "wrong_claims": [], "missed_points": ids[1:],
        "flags": [] if said else ["empty"], "strengths": STRENGTHS, "improvements": IMPROVEMENTS,
        "technical": 7 if said else 0, "coverage": 6 if said else 0, "structure": 7 if said else 0,
        "communication": 8 if said else 0, "overall": 7 if said else 0,
    }
    if "star" in schema["properties"]:
        data["star"] = {"situation": True, "task": True, "action": True, "result": True, "technical": False}
    data.update(over)
    return data


def follow_up_text(body: dict) -> str:
    said = [a for a in answers(body) if a.strip()]
    quote = re.sub(r"[.?!,;]", "", " ".join(said[-1].split()[:6])) if said else "nothing yet"
    probes = re.search(r"^- \[([a-z0-9-]+)\]", body.get("system") or "", re.M)
    return FOLLOW_UP.format(quote=quote, probes=probes.group(1) if probes else "")


class InterviewerModel:
    """`route` for FakeAnthropic: realistic replies, plus scripted faults per call kind and ordinal."""

    def __init__(self, faults: dict[tuple[str, int], dict | Callable[[dict], dict]] | None = None,
                 think_tokens: int | None = None, score_over: dict | None = None):
        self.faults = dict(faults or {})
        self.think_tokens = think_tokens
        self.score_over = score_over or {}
        self.counts = {"follow_up": 0, "score": 0}
        self._lock = threading.Lock()

    def __call__(self, body: dict) -> dict:
        kind = request_kind(body)
        with self._lock:
            self.counts[kind] += 1
            n = self.counts[kind]
        fault = self.faults.get((kind, n))
        if fault is not None:
            return fault(body) if callable(fault) else fault
        extra = {"think_tokens": self.think_tokens} if self.think_tokens is not None else {}
        if kind == "score":
            return {"kind": "json", "data": score_data(body, **self.score_over), **extra}
        return {"kind": "text", "text": follow_up_text(body), "chunk": 8, **extra}
