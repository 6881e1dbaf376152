"""Issue 12, items 3 and 5: bodies are checked for a token and a size before they are read,
errors echo only an excerpt of the input, and four inputs that were 500s are 4xx problems."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from reliability_helpers import assert_problem
from twinspace.errors import MAX_DETAIL
from twinspace.server.app import create_app
from twinspace.server.body_guard import DEFAULT_LIMIT

ACTIONS = "/api/v1/homes/demo-loft/actions"


@pytest.fixture
def client(demo_hub, issue_token) -> TestClient:
    c = TestClient(create_app(demo_hub))
    c.headers["Authorization"] = f"Bearer {issue_token('reliability')}"
    return c


def test_bodies_without_a_token_are_refused_before_they_are_read(client) -> None:
    read = []

    def body():  # a stream that records how much of it the hub asked for
        for _ in range(100):
            read.append(1)
            yield b"x" * 65536

    r = client.post("/v1/chat/completions", content=body(), headers={"Authorization": "", "Content-Type": "application/json"})
    assert_problem(r, 401)
    assert len(read) <= 1  # at most the first chunk was pulled, never the 6.4 MB
    assert_problem(client.post(f"{ACTIONS}/device.light", content=b"{}", headers={"Authorization": "Bearer nope"}), 401)


def test_body_limits_are_problems_whether_declared_or_streamed(client) -> None:
    big = b'{"args": {"device": "' + b"x" * DEFAULT_LIMIT + b'"}}'
    body = assert_problem(client.post(f"{ACTIONS}/device.light", content=big,
                                      headers={"Content-Type": "application/json"}), 413)
    assert "64 KB" in body["detail"]
    streamed = assert_problem(client.post(f"{ACTIONS}/device.light", content=iter([big[:40000], big[40000:]]),
                                          headers={"Content-Type": "application/json"}), 413)
    assert "64 KB" in streamed["detail"]
    not_json = assert_problem(client.post("/v1/audio/transcriptions",
                                          files={"file": ("a.wav", b"x" * (26 << 20), "audio/wav")}), 413)
    assert "/v1/audio/transcriptions" in not_json["detail"]


def test_errors_echo_only_an_excerpt_of_the_input(client) -> None:
    device = "lamp-" + "x" * 60000
    r = client.post(f"{ACTIONS}/device.light", json={"args": {"device": device, "on": True}})
    assert 400 <= r.status_code < 500
    assert len(r.json()["detail"]) <= MAX_DETAIL + 40 and len(r.content) < 2000
    r = client.post(f"{ACTIONS}/panel.open", json={"args": {"content": "channel:arena.demo"}, "x" * 50000: 1})
    assert_problem(r, 422)
    assert len(r.content) < 2000


def test_infinity_is_not_a_number_the_hub_takes(client) -> None:
    body = b'{"args": {"content": "channel:arena.demo"}, "viewer": {"position": [0, 1.2, 1.8], "yaw_deg": Infinity}}'
    problem = assert_problem(client.post(f"{ACTIONS}/panel.open", content=body,
                                         headers={"Content-Type": "application/json"}), 422)
    assert "Infinity" in problem["detail"]
    nan = b'{"text": "turn on the lamp", "viewer": {"position": [NaN, 1, 1]}}'
    assert_problem(client.post("/v1/assistant/turns", content=nan, headers={"Content-Type": "application/json"}), 422)


@pytest.mark.slow
def test_speech_with_nul_and_chats_over_the_context_are_4xx(client) -> None:
    problem = assert_problem(client.post("/v1/audio/speech", json={"input": "lamp\x00off"}), 422)
    assert "U+0000" in problem["detail"]
    long_words = "turn on the floor lamp " * 250  # ~1,250 tokens
    for model in ("twinspace-home", "smollm2-135m"):
        problem = assert_problem(client.post("/v1/chat/completions", json={
            "model": model, "messages": [{"role": "user", "content": long_words}]}), 422)
        assert "at most" in problem["detail"] or "context" in problem["detail"]
    many = [{"role": "user", "content": "lamp " * 300}] * 8  # plain chat, several turns over its context
    assert_problem(client.post("/v1/chat/completions", json={"model": "smollm2-135m", "messages": many,
                                                             "stream": True}), 422)


def test_a_room_capture_may_be_larger_than_other_action_bodies() -> None:
    from twinspace.server.body_guard import DEFAULT_LIMIT, limit_for
    assert limit_for("/api/v1/homes/demo-loft/actions/room.capture") > 4 * 1024 * 1024  # a large room's meshes
    assert limit_for("/api/v1/homes/demo-loft/actions/panel.open") == DEFAULT_LIMIT
