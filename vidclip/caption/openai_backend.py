"""The ``openai`` captioner: any OpenAI-compatible endpoint through the official client.

Works with OpenAI, vLLM, llama.cpp's server, Ollama and anything else that
answers ``/v1/chat/completions`` (or ``/v1/completions`` with
``api="completions"``, for base models and raw few-shot prompts).

Retries are ours, not the client's (it is built with ``max_retries=0``):
429, 5xx and connection errors are retried up to ``max_retries`` times with
exponential backoff and jitter (a ``Retry-After`` header lengthens the wait,
capped at ``max_backoff_s``); a timeout is *not* retried, so a hung server
costs one ``timeout`` and then every remaining scene uses the template
captioner. Other HTTP errors (401, 404 model, 400) are not retried either.
"""

from __future__ import annotations

import os
import random
import threading
import time
from typing import Any, Literal

from pydantic import Field

from vidclip.caption.grounding import HEDGE_BELOW
from vidclip.caption.llm import BackendUnavailable, Generation, LLMCaptioner, LLMSettings
from vidclip.caption.prompts import RenderedPrompt
from vidclip.errors import ConfigError

try:
    import openai
except ImportError as exc:  # the registry turns this into a one-line ModelError
    raise ImportError("the openai captioner needs the 'openai' package") from exc

#: Sent when a custom endpoint needs no key (vLLM, llama.cpp, Ollama); the
#: client refuses to start without one.
NO_KEY = "not-needed"


class OpenAISettings(LLMSettings):
    base_url: str | None = Field(default=None, description="e.g. http://localhost:8000/v1; "
                                 "default: $OPENAI_BASE_URL or OpenAI's API.")
    api_key: str | None = Field(default=None, description="Default: $OPENAI_API_KEY.")
    model: str = "gpt-4o-mini"
    api: Literal["chat", "completions"] = "chat"
    timeout: float = Field(default=30.0, gt=0, description="Seconds per request.")
    max_concurrency: int = Field(default=4, ge=1, le=64, description="Scenes in flight.")
    max_retries: int = Field(default=3, ge=0, le=10, description="For 429, 5xx, connection.")
    backoff_s: float = Field(default=0.5, ge=0, description="First retry delay; doubles.")
    max_backoff_s: float = Field(default=8.0, ge=0)


class OpenAICaptioner(LLMCaptioner):
    name = "openai"

    def __init__(self, settings: OpenAISettings, hedge_below: float = HEDGE_BELOW):
        super().__init__(settings, hedge_below)
        self.settings: OpenAISettings = settings
        self.max_concurrency = settings.max_concurrency
        self._client: Any = None  # an openai.OpenAI once set up
        self._lock = threading.Lock()

    @property
    def model_name(self) -> str:
        return self.settings.model

    def setup(self) -> None:
        super().setup()
        with self._lock:
            if self._client is not None:
                return
            s = self.settings
            base_url = s.base_url or os.environ.get("OPENAI_BASE_URL")
            api_key = s.api_key or os.environ.get("OPENAI_API_KEY")
            if not api_key and not base_url:
                raise ConfigError("the openai captioner needs an API key (captions option "
                                  "api_key or $OPENAI_API_KEY) or a base_url of a local server")
            self._client = openai.OpenAI(base_url=base_url, api_key=api_key or NO_KEY,
                                         timeout=s.timeout, max_retries=0)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def generate(self, prompt: RenderedPrompt) -> Generation:
        s = self.settings
        problem = "no answer"
        for attempt in range(s.max_retries + 1):
            try:
                return self._request(prompt)
            except openai.APITimeoutError:
                raise BackendUnavailable(f"no answer within {s.timeout:g} s") from None
            except (openai.RateLimitError, openai.InternalServerError,
                    openai.APIConnectionError) as exc:
                problem = _describe(exc)
                if attempt < s.max_retries:
                    time.sleep(self._delay(attempt, exc))
            except openai.APIStatusError as exc:
                raise BackendUnavailable(f"the endpoint refused the request "
                                         f"({_describe(exc)})") from None
        raise BackendUnavailable(f"{problem}, still after {s.max_retries} retries")

    def _request(self, prompt: RenderedPrompt) -> Generation:
        s = self.settings
        common = dict(model=s.model, max_tokens=prompt.max_tokens, temperature=s.temperature,
                      stop=list(prompt.stop) or None)
        t0 = time.perf_counter()
        if s.api == "chat":
            messages = [{"role": "system", "content": prompt.system},
                        {"role": "user", "content": prompt.user}]
            resp = self._client.chat.completions.create(messages=messages, **common)
            choice = resp.choices[0] if resp.choices else None
            text = (choice.message.content or "") if choice else ""
        else:
            resp = self._client.completions.create(prompt=prompt.text, **common)
            choice = resp.choices[0] if resp.choices else None
            text = choice.text if choice else ""
        return Generation(
            text=text,
            tokens=resp.usage.completion_tokens if resp.usage else None,
            seconds=time.perf_counter() - t0,
            truncated=bool(choice and choice.finish_reason == "length"),
        )

    def _delay(self, attempt: int, exc: Exception) -> float:
        """Exponential backoff with 'equal jitter'; a Retry-After header can lengthen it."""
        s = self.settings
        cap = min(s.max_backoff_s, s.backoff_s * 2**attempt)
        delay = cap / 2 + random.uniform(0, cap / 2)
        response = getattr(exc, "response", None)
        retry_after = response.headers.get("retry-after") if response is not None else None
        try:
            if retry_after is not None:
                delay = max(delay, min(float(retry_after), s.max_backoff_s))
        except (TypeError, ValueError):
            pass
        return delay


def _describe(exc: Exception) -> str:
    status = getattr(exc, "status_code", None)
    if status is not None:
        return f"HTTP {status}"
    return f"connection failed: {exc}"
