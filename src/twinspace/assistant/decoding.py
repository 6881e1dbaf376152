"""Greedy decoding under a grammar that checks the model's first choice only.

llama-cpp-python's sampler applies the grammar to the whole vocabulary (49k tokens for
SmolLM2) at every step before picking the best token, which doubled the time of a turn.
The task adapter almost always prefers a token the grammar allows, so this checks that one
token and falls back to the full pass only when it is refused, which is what llama.cpp's
own common sampler does. The result is the same token sequence as grammar-then-greedy.
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np

_TOKEN_DATA = np.dtype([("id", "<i4"), ("logit", "<f4"), ("p", "<f4")], align=True)


def greedy_with_grammar(llm: Any, prompt_tokens: list[int], grammar: str, max_tokens: int,
                        cached: int) -> list[int]:
    """The completion's tokens; `cached` leading prompt tokens are already in the KV cache."""
    import llama_cpp

    llm.n_tokens = cached  # eval() drops the KV cache from here on
    llm.eval(prompt_tokens[cached:])
    vocab = llm._model.vocab
    n_vocab = llm.n_vocab()
    sampler = llama_cpp.llama_sampler_init_grammar(vocab, grammar.encode(), b"root")
    if not sampler:
        raise ValueError("the grammar does not parse")
    one = (llama_cpp.llama_token_data * 1)()
    one_array = llama_cpp.llama_token_data_array(data=one, size=1, selected=-1, sorted=False)
    everything = np.zeros(n_vocab, dtype=_TOKEN_DATA)
    everything["id"] = np.arange(n_vocab)
    out: list[int] = []
    try:
        for _ in range(max_tokens):
            logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1), shape=(n_vocab,))
            token = int(np.argmax(logits))
            one[0].id, one[0].logit, one[0].p = token, float(logits[token]), 0.0
            one_array.size, one_array.selected = 1, -1
            llama_cpp.llama_sampler_apply(sampler, ctypes.byref(one_array))
            if not np.isfinite(one[0].logit):  # refused: let the grammar mask every token
                everything["logit"] = logits
                everything["p"] = 0.0
                full = llama_cpp.llama_token_data_array(
                    data=everything.ctypes.data_as(ctypes.POINTER(llama_cpp.llama_token_data)),
                    size=n_vocab, selected=-1, sorted=False)
                llama_cpp.llama_sampler_apply(sampler, ctypes.byref(full))
                token = int(everything["id"][int(np.argmax(everything["logit"]))])
            if llama_cpp.llama_vocab_is_eog(vocab, token):
                break
            llama_cpp.llama_sampler_accept(sampler, token)
            out.append(token)
            llm.eval([token])
    finally:
        llama_cpp.llama_sampler_free(sampler)
    return out
