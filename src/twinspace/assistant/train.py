"""Train the task adapter: LoRA on the embedded model, exported to GGUF for llama.cpp.

    twinspace train [--steps 400] [--out src/twinspace/assistant/adapters/smollm2-135m-home.gguf]

1. generate synthetic (request, commands) pairs (datagen) — nothing from the eval sets;
2. load the bundled GGUF with transformers (dequantised) and train a LoRA adapter with peft,
   computing the loss on the command tokens only;
3. convert the adapter with llama.cpp's own `convert_lora_to_gguf.py`, taken from the
   llama-cpp-python source distribution of the installed version.

Needs the `train` extra (torch CPU, transformers, peft, gguf). Progress goes to stderr.
A run takes about an hour on two cores, so it keeps a checkpoint in its work folder every
`CHECKPOINT_EVERY` steps: the same command run again (same work folder and settings) goes on
from there instead of starting over, and the export step can be retried on its own.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from twinspace.assistant import datagen
from twinspace.assistant.prompt import prompt_for

TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
END = "<|im_end|>"
CHECKPOINT_EVERY = 10  # steps between checkpoints (a step is ~5-10 s; a checkpoint ~0.1 s)
CHECKPOINT = "checkpoint.pt"


class SettingsChanged(Exception):
    """The work folder holds a run made with other settings or other data."""


@dataclass
class TrainConfig:
    steps: int = 320
    batch: int = 16
    lr: float = 3e-4
    rank: int = 16
    alpha: int = 32
    examples: int = 8000
    seed: int = 7
    threads: int = 2


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def train_adapter(model_gguf: Path, out_dir: Path, cfg: TrainConfig,
                  progress: Callable[[str], None] = _log) -> Path:
    """Train and save a peft adapter in `out_dir`; returns the directory of the HF base config."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    t0 = time.time()
    tok = AutoTokenizer.from_pretrained(str(model_gguf.parent), gguf_file=model_gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(model_gguf.parent), gguf_file=model_gguf.name,
                                                 torch_dtype=torch.float32)
    progress(f"loaded {model_gguf.name} in {time.time() - t0:.0f}s")
    base_dir = out_dir / "base"
    # The GGUF loader leaves these out; llama.cpp's converter needs the architecture name.
    model.config.architectures = ["LlamaForCausalLM"]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.config.save_pretrained(base_dir)
    tok.save_pretrained(base_dir)

    pairs = list(datagen.examples(cfg.examples, seed=cfg.seed))
    encoded = []
    for request, commands in pairs:
        prompt_ids = tok(prompt_for(request), add_special_tokens=False)["input_ids"]
        target_ids = tok(commands + END, add_special_tokens=False)["input_ids"]
        encoded.append((prompt_ids, target_ids))
    progress(f"{len(encoded)} examples, mean {sum(len(a) + len(b) for a, b in encoded) / len(encoded):.0f} tokens")

    model = get_peft_model(model, LoraConfig(r=cfg.rank, lora_alpha=cfg.alpha, lora_dropout=0.05,
                                             target_modules=TARGET_MODULES, task_type="CAUSAL_LM"))
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.lr, weight_decay=0.0)
    warmup = max(1, cfg.steps // 20)
    run_id = _run_id(cfg, encoded)
    first = _resume(out_dir / CHECKPOINT, run_id, model, optim)
    if first:
        progress(f"resuming at step {first + 1}/{cfg.steps} from {out_dir / CHECKPOINT}")

    def lr_at(step: int) -> float:
        if step < warmup:
            return cfg.lr * (step + 1) / warmup
        return cfg.lr * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, cfg.steps - warmup)))

    rng = random.Random(cfg.seed)
    order = list(range(len(encoded)))
    rng.shuffle(order)
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0
    model.train()
    start = time.time()
    for step in range(first, cfg.steps):
        idx = [order[(step * cfg.batch + i) % len(order)] for i in range(cfg.batch)]
        batch = [encoded[i] for i in idx]
        width = max(len(p) + len(t) for p, t in batch)
        ids = torch.full((len(batch), width), pad, dtype=torch.long)
        labels = torch.full((len(batch), width), -100, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, (p, t) in enumerate(batch):
            seq = p + t
            ids[row, :len(seq)] = torch.tensor(seq)
            labels[row, len(p):len(seq)] = torch.tensor(t)  # learn the commands, not the request
            mask[row, :len(seq)] = 1
        for group in optim.param_groups:
            group["lr"] = lr_at(step)
        loss = _target_loss(model, ids, mask, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optim.step()
        optim.zero_grad()
        if (step + 1) % CHECKPOINT_EVERY == 0 and step + 1 < cfg.steps:
            _checkpoint(out_dir / CHECKPOINT, run_id, step + 1, model, optim)
        if step % 10 == 0 or step == cfg.steps - 1:
            rate = (time.time() - start) / (step + 1 - first)
            progress(f"step {step + 1}/{cfg.steps} loss {loss.item():.4f} "
                     f"({rate:.1f}s/step, ~{rate * (cfg.steps - step - 1) / 60:.0f} min left)")
    model.save_pretrained(out_dir / "adapter")
    (out_dir / "train.json").write_text(json.dumps(cfg.__dict__, indent=2))
    (out_dir / CHECKPOINT).unlink(missing_ok=True)
    return base_dir


def _run_id(cfg: TrainConfig, encoded: list[tuple[list[int], list[int]]]) -> str:
    """Settings and data of a run: a checkpoint only resumes the run that wrote it."""
    digest = hashlib.sha256(json.dumps([cfg.__dict__, encoded]).encode()).hexdigest()
    return digest[:16]


def _checkpoint(path: Path, run_id: str, step: int, model, optim) -> None:  # noqa: ANN001 - torch types
    import torch
    from peft import get_peft_model_state_dict

    tmp = path.with_suffix(".tmp")
    torch.save({"run": run_id, "step": step, "lora": get_peft_model_state_dict(model),
                "optim": optim.state_dict()}, tmp)
    os.replace(tmp, path)  # a run killed while saving keeps the previous checkpoint


def _resume(path: Path, run_id: str, model, optim) -> int:  # noqa: ANN001 - torch types
    """The step to start from: 0, or where this run's checkpoint left off."""
    if not path.exists():
        return 0
    import torch
    from peft import set_peft_model_state_dict

    state = torch.load(path, weights_only=True)
    if state.get("run") != run_id:
        raise SettingsChanged(f"{path} is from a run with other settings or other training data; "
                              "train in another work folder (--work), or delete it to start over")
    set_peft_model_state_dict(model, state["lora"])
    optim.load_state_dict(state["optim"])
    return int(state["step"])


def _target_loss(model, ids, mask, labels):  # noqa: ANN001, ANN202 - torch types
    """Cross-entropy on the command tokens only, projecting just those positions onto the
    vocabulary: the 49k-word output layer is the costliest part of a step for this model."""
    import torch.nn.functional as F

    base = model.get_base_model()
    hidden = base.model(input_ids=ids, attention_mask=mask).last_hidden_state
    targets = labels[:, 1:]
    keep = targets != -100
    logits = base.lm_head(hidden[:, :-1][keep])
    return F.cross_entropy(logits.float(), targets[keep])


def llama_cpp_converter(cache: Path) -> Path:
    """llama.cpp's convert_lora_to_gguf.py from the installed llama-cpp-python's sdist."""
    from importlib.metadata import version

    v = version("llama-cpp-python")
    root = cache / f"llama_cpp_python-{v}"
    script = root / "vendor" / "llama.cpp" / "convert_lora_to_gguf.py"
    if not script.exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                        "-d", str(cache), f"llama-cpp-python=={v}"], check=True)
        with tarfile.open(cache / f"llama_cpp_python-{v}.tar.gz") as tar:
            # The converter imports its siblings (conversion/, gguf-py/): take the Python sources.
            members = [m for m in tar.getmembers()
                       if m.name.startswith(f"llama_cpp_python-{v}/vendor/llama.cpp/") and m.name.endswith(".py")]
            tar.extractall(cache, members=members, filter="data")
    return script


def export_gguf(adapter_dir: Path, base_dir: Path, out: Path, cache: Path) -> Path:
    script = llama_cpp_converter(cache)
    env_path = str(script.parent / "gguf-py")
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(script), str(adapter_dir), "--base", str(base_dir),
                    "--outfile", str(out), "--outtype", "f16"],
                   check=True, env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin", "NO_LOCAL_GGUF": ""})
    return out


def run(model_gguf: Path, out: Path, cfg: TrainConfig, work: Optional[Path] = None,
        progress: Callable[[str], None] = _log) -> Path:
    """Train (or go on training) in `work`, then export to `out`. A finished adapter in `work`
    with the same settings is exported again without training."""
    work = work or Path(tempfile.mkdtemp(prefix="twinspace-train-"))
    done = work / "train.json"
    if (work / "adapter").is_dir() and done.exists() and json.loads(done.read_text()) == cfg.__dict__:
        progress(f"{work / 'adapter'} is already trained with these settings: exporting it")
        base_dir = work / "base"
    else:
        base_dir = train_adapter(model_gguf, work, cfg, progress)
    return export_gguf(work / "adapter", base_dir, out, work / "llama-cpp-src")
