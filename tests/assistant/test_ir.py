import pytest

from twinspace.assistant import datagen, ir


def test_render_and_parse_round_trip() -> None:
    calls = [ir.Call("power", {"what": "the lamp", "on": "no"}),
             ir.Call("show", {"what": "jazz", "where": "the left wall", "size": "large"})]
    text = ir.render(calls)
    assert text == 'power what="the lamp" on=no ; show what="jazz" where="the left wall" size=large'
    assert ir.parse(text) == calls


@pytest.mark.parametrize("bad, words", [
    ("dance", "unknown verb"), ('show where="x"', "needs what"), ("resize size=huge", "cannot be"),
    ('show what="x" colour="red"', "no slot"), ("", "no command"), ('show what="x" ???', "cannot read"),
])
def test_parse_rejects_anything_outside_the_language(bad: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        ir.parse(bad)


def test_spans_are_runs_of_the_requests_words() -> None:
    spans = ir.spans("Put the Football on the wall, to my right!")
    assert "the football" in spans and "the wall to my right" in spans
    assert "football wall" not in spans
    assert all(len(s.split()) <= ir.MAX_SPAN_WORDS for s in spans)


def test_grammar_names_every_verb_and_only_the_requests_words() -> None:
    g = ir.grammar('turn off the "lamp"')
    assert 'words ::= "turn off the lamp"' in g
    for verb in ir.VERBS:
        assert f"v-{verb.replace('_', '-')} ::=" in g
    assert "football" not in g


def test_grammar_compiles_in_llama_cpp() -> None:
    llama_cpp = pytest.importorskip("llama_cpp")
    assert llama_cpp.LlamaGrammar.from_string(ir.grammar("dim the bedside lamp to 30 percent"), verbose=False)


def test_training_examples_only_copy_words_of_their_request() -> None:
    pairs = list(datagen.examples(500, seed=3))
    assert len({t for t, _ in pairs}) > 400  # varied, not one template
    verbs = set()
    for text, commands in pairs:
        calls = ir.parse(commands)
        allowed = set(ir.spans(text))
        for call in calls:
            verbs.add(call.verb)
            for slot, value in call.slots.items():
                if ir.VERBS[call.verb][slot] == ir.SPAN:
                    assert value in allowed, (text, commands)
    assert verbs == set(ir.VERBS)


def test_examples_are_deterministic() -> None:
    assert list(datagen.examples(50, seed=9)) == list(datagen.examples(50, seed=9))


def test_requests_reach_the_model_as_people_type_them() -> None:
    from twinspace.assistant.prompt import as_request, prompt_for

    assert as_request("Continue the movie on the TV.") == "continue the movie on the TV"
    assert as_request("  Turn off\nthe Floor lamp! ") == "turn off the Floor lamp"
    assert as_request("I want to do the yoga session") == "I want to do the yoga session"
    assert as_request("I'm in the kitchen now.") == "I'm in the kitchen now"
    assert as_request("TV off") == "TV off"
    assert as_request("what's on arena sports?") == "what's on arena sports?"
    assert "user\ncontinue the movie on the TV<|im_end|>" in prompt_for("Continue the movie on the TV.")
