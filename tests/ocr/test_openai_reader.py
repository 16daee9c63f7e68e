"""The openai reader against a stub server speaking the chat-completions wire format."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np

from tests.stub_http import reply_json
from vidclip.ocr.openai_backend import OpenAIReader

ANSWER = {"lines": [{"text": "GRAND OPENING", "box": [0.2, 0.4, 0.8, 0.5], "confidence": 0.9}]}


SEEN: list = []


class _Chat(BaseHTTPRequestHandler):

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        SEEN.append((self.path, self.headers.get("Authorization"), body))
        reply = {"id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
                 "choices": [{"index": 0, "finish_reason": "stop", "message": {
                     "role": "assistant", "content": "```json\n" + json.dumps(ANSWER) + "\n```"}}]}
        reply_json(self, reply)

    def log_message(self, *args):
        pass


def test_round_trip(monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), _Chat)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("VLM_KEY", "secret")
    try:
        reader = OpenAIReader.from_options({"base_url": f"http://127.0.0.1:{server.server_port}/v1",
                                            "model": "vlm", "api_key_env": "VLM_KEY"})
        [[line]] = reader.read([np.zeros((36, 64, 3), np.uint8)])
    finally:
        server.shutdown()
    assert line.text == "GRAND OPENING" and line.box == (0.2, 0.4, 0.8, 0.5)
    path, auth, body = SEEN[-1]
    assert path == "/v1/chat/completions" and auth == "Bearer secret"
    assert body["messages"][0]["content"][1]["image_url"]["url"].startswith("data:image/jpeg")
