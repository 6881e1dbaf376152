"""One loaded model serves the assistant (with its task adapter) and plain chat (without):
what each answers must be what a model loaded for that use alone answers, in any order."""

from __future__ import annotations

import asyncio

import pytest

from twinspace.assistant import ir
from twinspace.assistant.prompt import prompt_for
from twinspace.assistant.runtime import LocalModel, resolve_model
from twinspace.model_owner import owner_of

REQUEST = "put the football on the wall to my right"
CHAT = {"messages": [{"role": "user", "content": "Name a colour."}], "max_tokens": 12, "temperature": 0.0}


def _turn(model: LocalModel) -> str:
    return model.complete(prompt_for(REQUEST), grammar=ir.grammar(REQUEST), max_tokens=48,
                          stop=["<|im_end|>", "\n"]).text


def _chat(model: LocalModel) -> str:
    return model.chat(**CHAT)["choices"][0]["message"]["content"]


@pytest.fixture(scope="module")
def models(tmp_path_factory):  # noqa: ANN001, ANN201
    path, adapter = resolve_model("smollm2-135m", tmp_path_factory.mktemp("data"))
    assert adapter is not None, "the embedded model ships with its task adapter"
    shared = LocalModel(path, adapter=adapter, chat_format="chatml-function-calling")
    plain = LocalModel(path, chat_format="chatml-function-calling")
    alone = LocalModel(path, adapter=adapter)
    return shared, plain, alone


def test_chat_and_turns_share_one_model_and_keep_their_own_answers(models) -> None:
    shared, plain, alone = models
    turn, chat = _turn(alone), _chat(plain)
    assert turn != "" and chat != ""
    assert ir.parse(turn) and _turn(plain) != turn  # the adapter is what reads requests into commands
    # interleaved both ways: each switch of the adapter must also start the context over
    assert [_turn(shared), _chat(shared), _turn(shared), _turn(shared), _chat(shared), _chat(shared),
            _turn(shared)] == [turn, chat, turn, turn, chat, chat, turn]


def test_a_stream_left_early_puts_the_adapter_back(models) -> None:
    shared, _, alone = models
    turn = _turn(alone)

    async def leave_early() -> None:
        chunks = owner_of(shared).iterate(shared.chat, **CHAT, stream=True)
        async for _ in chunks:
            break
        await chunks.aclose()

    asyncio.run(leave_early())
    assert _turn(shared) == turn
