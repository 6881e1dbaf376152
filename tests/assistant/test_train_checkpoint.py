"""`twinspace train` keeps checkpoints: a killed run goes on where it stopped, and a work
folder from other settings is refused. Needs the `train` extra (skipped without it)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
peft = pytest.importorskip("peft")
transformers = pytest.importorskip("transformers")

from twinspace.assistant import train as training  # noqa: E402


def tiny_model():  # noqa: ANN201 - a peft model
    config = transformers.LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                      num_attention_heads=2, num_key_value_heads=2)
    torch.manual_seed(0)
    model = transformers.LlamaForCausalLM(config)
    return peft.get_peft_model(model, peft.LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"],
                                                      task_type="CAUSAL_LM"))


def one_step(model, optim) -> None:  # noqa: ANN001
    ids = torch.randint(0, 64, (2, 8))
    model(input_ids=ids, labels=ids).loss.backward()
    optim.step()
    optim.zero_grad()


def lora(model) -> dict:  # noqa: ANN001
    return {k: v.clone() for k, v in peft.get_peft_model_state_dict(model).items()}


def test_a_checkpoint_resumes_the_same_run_and_refuses_another(tmp_path) -> None:
    path = tmp_path / training.CHECKPOINT
    model = tiny_model()
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    for _ in range(3):
        one_step(model, optim)
    training._checkpoint(path, "run-a", 3, model, optim)
    saved = lora(model)
    assert not path.with_suffix(".tmp").exists()

    fresh = tiny_model()
    fresh_optim = torch.optim.AdamW([p for p in fresh.parameters() if p.requires_grad], lr=1e-2)
    assert any(not torch.equal(saved[k], v) for k, v in lora(fresh).items())  # not trained yet
    assert training._resume(path, "run-a", fresh, fresh_optim) == 3
    assert all(torch.equal(saved[k], v) for k, v in lora(fresh).items())
    assert fresh_optim.state_dict()["state"], "the optimizer's moments come back too"

    with pytest.raises(training.SettingsChanged, match="other settings"):
        training._resume(path, "run-b", tiny_model(), fresh_optim)
    assert training._resume(tmp_path / "none.pt", "run-a", fresh, fresh_optim) == 0


def test_the_run_id_changes_with_settings_and_data() -> None:
    cfg = training.TrainConfig(steps=10)
    data = [([1, 2], [3])]
    assert training._run_id(cfg, data) == training._run_id(training.TrainConfig(steps=10), [([1, 2], [3])])
    assert training._run_id(cfg, data) != training._run_id(training.TrainConfig(steps=11), data)
    assert training._run_id(cfg, data) != training._run_id(cfg, [([1, 2], [4])])
