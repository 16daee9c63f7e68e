"""A real OpenAI-compatible HTTP server on 127.0.0.1, for tests.

It answers ``POST /v1/chat/completions`` and ``POST /v1/completions`` (and
``GET /v1/models``) in the OpenAI wire format, from a local model loaded by
:func:`vidclip.caption.transformers_backend.load_local_model` (chat requests
go through the tokenizer's chat template, as llama.cpp and vLLM do), or
from a script of canned answers. It can also misbehave on purpose:

- ``fail_next(status, times, retry_after=None)``: the next ``times`` requests
  get that HTTP status (429, 500, 401...) with an OpenAI-style error body;
- ``hang = True``: requests get no answer until the server stops.

Run one by hand: ``python -m tests.caption.llm_server --port 8000``.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: answer(endpoint, body) -> (text, completion tokens, finish_reason)
Answer = Callable[[str, dict], tuple[str, int, str]]


def model_answer(local_model) -> Answer:
    """Answers from a :class:`~vidclip.caption.transformers_backend.LocalModel`."""
    from vidclip.caption.transformers_backend import prompt_prefix

    def answer(endpoint: str, body: dict) -> tuple[str, int, str]:
        if endpoint == "chat":
            prompt = local_model.tokenizer.apply_chat_template(
                body["messages"], tokenize=False, add_generation_prompt=True)
        else:
            prompt = body["prompt"]
        # Like llama.cpp's prompt cache: reuse the work on the few-shot examples.
        prefix = prompt_prefix(prompt)
        stop = body.get("stop") or ()
        stop = (stop,) if isinstance(stop, str) else tuple(stop)
        max_tokens = int(body.get("max_tokens") or 64)
        gen = local_model.generate(prompt, max_tokens, float(body.get("temperature") or 0.0), stop,
                                   prefix=prefix)
        text = gen.text
        for s in stop:  # like OpenAI: the stop sequence is not part of the answer
            text = text.split(s)[0]
        return text, gen.tokens or 0, "length" if gen.truncated else "stop"

    return answer


class LLMServer:
    """Start with ``with LLMServer(answer) as server: server.base_url``."""

    def __init__(self, answer: Answer | None = None, model: str = "smollm2-135m",
                 port: int = 0):
        self.answer = answer
        self.model = model
        #: Canned answers, used (first in, first out) before ``answer``.
        self.script: deque[str] = deque()
        self.hang = False
        #: Seconds every answer waits before it is sent (latency, to see concurrency).
        self.delay_s = 0.0
        #: Bodies of every request received, in arrival order.
        self.requests: list[dict] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._failures: deque[tuple[int, str | None]] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def fail_next(self, status: int, times: int = 1, retry_after: float | None = None) -> None:
        header = None if retry_after is None else f"{retry_after:g}"
        self._failures.extend([(status, header)] * times)

    def reset(self) -> None:
        """Back to answering normally (between tests sharing one server)."""
        with self._lock:
            self.script.clear()
            self._failures.clear()
            self.hang = False
            self.delay_s = 0.0
            self.requests.clear()
            self.max_in_flight = self.in_flight

    def start(self) -> LLMServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        daemon=True, name="llm-server")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases hanging handlers
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> LLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- request handling (called from the handler threads) --

    def respond(self, endpoint: str, body: dict) -> tuple[int, dict, dict[str, str]]:
        with self._lock:
            self.requests.append(body)
            failure = self._failures.popleft() if self._failures else None
            canned = self.script.popleft() if self.script and not failure else None
        if self.hang:
            self._stopping.wait(120)
            return 0, {}, {}
        if self.delay_s:
            self._stopping.wait(self.delay_s)
        if failure:
            status, retry_after = failure
            headers = {"Retry-After": retry_after} if retry_after else {}
            error = {"message": f"test server says {status}", "type": "test", "code": status}
            return status, {"error": error}, headers
        if canned is not None:
            text, tokens, finish = canned, len(canned.split()), "stop"
        elif self.answer is not None:
            text, tokens, finish = self.answer(endpoint, body)
        else:
            return 503, {"error": {"message": "no model and no script"}}, {}
        return 200, self._completion(endpoint, text, tokens, finish), {}

    def _completion(self, endpoint: str, text: str, tokens: int, finish: str) -> dict[str, Any]:
        if endpoint == "chat":
            choice = {"index": 0, "finish_reason": finish,
                      "message": {"role": "assistant", "content": text}}
            kind = "chat.completion"
        else:
            choice = {"index": 0, "finish_reason": finish, "text": text, "logprobs": None}
            kind = "text_completion"
        return {
            "id": f"cmpl-{len(self.requests)}", "object": kind, "created": int(time.time()),
            "model": self.model, "choices": [choice],
            "usage": {"prompt_tokens": 0, "completion_tokens": tokens, "total_tokens": tokens},
        }

    def track(self, delta: int) -> None:
        with self._lock:
            self.in_flight += delta
            self.max_in_flight = max(self.max_in_flight, self.in_flight)


def _handler(server: LLMServer) -> type[BaseHTTPRequestHandler]:
    routes = {"/v1/chat/completions": "chat", "/v1/completions": "completions"}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            if self.path == "/v1/models":
                self._send(200, {"object": "list", "data": [
                    {"id": server.model, "object": "model", "created": 0, "owned_by": "test"}]})
            else:
                self._send(404, {"error": {"message": "not found"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            endpoint = routes.get(self.path)
            if endpoint is None:
                self._send(404, {"error": {"message": f"no route {self.path}"}})
                return
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._send(400, {"error": {"message": "body is not JSON"}})
                return
            server.track(+1)
            try:
                status, payload, headers = server.respond(endpoint, body)
            finally:
                server.track(-1)
            if status:
                self._send(status, payload, headers)

        def _send(self, status: int, payload: dict, headers: dict[str, str] | None = None):
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout); nothing to tell it

    return Handler


def main() -> None:
    from vidclip.caption.transformers_backend import load_local_model

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    with LLMServer(model_answer(load_local_model(args.model)), port=args.port) as server:
        print(f"serving {args.model} at {server.base_url}", flush=True)
        server._thread.join()


if __name__ == "__main__":
    main()
