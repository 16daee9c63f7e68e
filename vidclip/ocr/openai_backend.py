"""A vision-language model behind an OpenAI-compatible chat endpoint as a reader.

Each frame goes as a JPEG data URL with a prompt asking for JSON: a list of
``{"text", "box": [x0, y0, x1, y1] (0-1), "confidence"}``. Settings come from
``text.options``: ``base_url``, ``model``, ``api_key_env`` (the name of the
environment variable holding the key), ``timeout_s``.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import urllib.request
from collections.abc import Mapping

import numpy as np

from vidclip.ocr.base import Line, TextReader

PROMPT = ("Read every piece of text visible in this image. Answer with JSON only: "
          '{"lines": [{"text": "...", "box": [x0, y0, x1, y1], "confidence": 0.0-1.0}]} '
          "with box corners as fractions (0-1) of the image width and height. "
          'If there is no text, answer {"lines": []}.')


class OpenAIReader(TextReader):
    name = "openai"
    reentrant = True  # one HTTP request per call; the client is thread-safe

    def __init__(self, base_url: str, model: str, api_key: str | None = None,
                 timeout_s: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s

    @classmethod
    def from_options(cls, options: Mapping) -> "OpenAIReader":
        if not options.get("base_url") or not options.get("model"):
            raise ValueError("the openai text reader needs text.options base_url and model")
        key_env = str(options.get("api_key_env") or "OPENAI_API_KEY")
        return cls(str(options["base_url"]), str(options["model"]), os.environ.get(key_env),
                   float(options.get("timeout_s") or 60.0))

    def load(self) -> None:
        """Nothing to load: the model runs behind the endpoint."""

    def read(self, frames: list[np.ndarray]) -> list[list[Line]]:
        return [self._read_one(frame) for frame in frames]

    def _read_one(self, frame: np.ndarray) -> list[Line]:
        from PIL import Image

        buffer = io.BytesIO()
        Image.fromarray(frame).save(buffer, format="JPEG", quality=90)
        url = "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()
        body = {"model": self.model, "temperature": 0, "messages": [{"role": "user", "content": [
            {"type": "text", "text": PROMPT}, {"type": "image_url", "image_url": {"url": url}}]}]}
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.base_url + "/chat/completions",
                                         json.dumps(body).encode(), headers)
        with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
            reply = json.loads(response.read())
        return parse_lines(reply["choices"][0]["message"]["content"] or "")

    def describe(self) -> str | None:
        return self.model


def parse_lines(content: str) -> list[Line]:
    """The model's JSON (possibly inside a code fence) as lines; malformed entries dropped."""
    match = re.search(r"\{.*\}", content, re.S)
    if not match:
        return []
    try:
        entries = json.loads(match.group(0)).get("lines", [])
    except (json.JSONDecodeError, AttributeError):
        return []
    lines = []
    for entry in entries if isinstance(entries, list) else []:
        try:
            x0, y0, x1, y1 = (min(1.0, max(0.0, float(v))) for v in entry["box"])
            text = str(entry["text"]).strip()
            confidence = float(entry.get("confidence", 1.0))
        except (KeyError, TypeError, ValueError):
            continue
        if text and x1 > x0 and y1 > y0:
            lines.append(Line(text, (x0, y0, x1, y1), min(1.0, max(0.0, confidence))))
    return lines
