"""Issue 12: fuzz every operation of the OpenAPI description (schemathesis) as a paired
device: no 500s, and every error an RFC 9457 problem document.

The models are replaced by quick stand-ins here (their own inputs are tested with the real
models in test_crash_*); the fuzzer is about the HTTP layer, the actions and the hub."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from reliability_helpers import HOME
from twinspace.assistant.runtime import Completion
from twinspace.model_owner import ModelOwner
from twinspace.server import assistant_routes, voice_routes
from twinspace.server.app import create_app

EXAMPLES = 30  # per operation: the whole run takes well under a minute


class QuickModel:
    """Answers every request with "none" (the assistant declines) and every chat with "ok"."""

    def complete(self, prompt: str, **_: object) -> Completion:
        return Completion("none", 10, 5, 1, 0.0)

    def chat(self, **kwargs: object) -> object:
        reply = {"id": "x", "object": "chat.completion", "created": 0, "model": "fuzz",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}]}
        return iter([reply]) if kwargs.get("stream") else reply


class QuickVoice:
    sample_rate = 22050

    def __init__(self) -> None:
        self.owner = ModelOwner("quick voice")

    def plan(self, text: str) -> list[list[str]]:
        return [[text[:10]]]

    def audio(self, run: list[str], speed: float = 1.0, **_: object) -> bytes:
        return b"\x00\x00" * 100


@pytest.fixture
def fuzzed_app(demo_hub, issue_token, monkeypatch):
    model, voice = QuickModel(), QuickVoice()
    monkeypatch.setattr(assistant_routes, "load_model", lambda *a, **k: model)
    monkeypatch.setattr(voice_routes, "shared_synthesizer", lambda: voice)
    app = create_app(demo_hub)
    app.state.fuzz_token = issue_token("fuzzer")
    return app


def _check(case, token: str) -> None:
    if "home_id" in (case.path_parameters or {}):
        case.path_parameters["home_id"] = HOME  # the paired home, or every call is a 403
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    where = f"{case.method} {case.formatted_path} -> {response.status_code}: {response.content[:300]!r}"
    assert response.status_code < 500, where
    if response.status_code >= 400:
        kind = response.headers.get("content-type") or [""]  # schemathesis keeps every value of a header
        assert (kind[0] if isinstance(kind, list) else kind).startswith("application/problem+json"), where
        problem = response.json()
        assert problem["status"] == response.status_code and problem["title"] and problem["detail"], where


@pytest.mark.slow
def test_no_request_is_a_500_and_every_error_a_problem(fuzzed_app) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)
    token, tried = fuzzed_app.state.fuzz_token, []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def fuzz(case) -> None:
            _check(case, token)

        fuzz()
        tried.append(operation.label)
    print(f"\nfuzzed {len(tried)} operations, {EXAMPLES} examples at most each")
    assert len(tried) >= 30, tried  # every route of the API, actions included
