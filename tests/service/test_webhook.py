"""Webhook signatures and delivery to a real local receiver."""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vidclip.jobs.errors import IngestError, TransientError
from vidclip.jobs.webhook import SIGNATURE_HEADER, deliver, payload, sign, verify_signature

SECRET = "a-webhook-secret-of-some-length"


def test_signature_round_trip_and_tampering():
    body = payload({"id": "abc", "status": "succeeded"})
    header = sign(SECRET, body, timestamp=1_700_000_000)
    assert verify_signature(SECRET, header, body, now=1_700_000_010)
    assert not verify_signature(SECRET, header, body + b" ", now=1_700_000_010)
    assert not verify_signature("another-secret-entirely", header, body, now=1_700_000_010)
    assert not verify_signature(SECRET, header, body, now=1_700_000_000 + 3600)  # replayed
    assert not verify_signature(SECRET, "garbage", body)


class Receiver(BaseHTTPRequestHandler):
    answers: list[int] = []
    received: list[tuple[dict, bytes]] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), body))
        self.send_response(self.answers.pop(0) if self.answers else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.answers, Receiver.received = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_delivery_is_signed(receiver, make_settings):
    settings = make_settings(allow_private_urls=True, webhook_secret=SECRET)
    body = payload({"id": "abc", "status": "failed"})
    assert deliver(receiver, body, settings, delivery_id="d1") == 204
    headers, got = Receiver.received[0]
    assert got == body and verify_signature(SECRET, headers[SIGNATURE_HEADER], got)


def test_delivery_logs_no_secret(receiver, make_settings, caplog):
    caplog.set_level(logging.DEBUG)  # httpx and httpcore included
    settings = make_settings(allow_private_urls=True, webhook_secret=SECRET)
    Receiver.answers = [500]
    body = payload({"id": "abc", "status": "failed"})
    with pytest.raises(TransientError) as failed:
        deliver(receiver, body, settings, delivery_id="d1")
    assert deliver(receiver, body, settings, delivery_id="d2") == 204
    assert any(r.name.startswith("http") for r in caplog.records)  # there were lines to search
    assert SECRET not in caplog.text and SECRET not in str(failed.value)


def test_delivery_failures_say_whether_to_retry(receiver, make_settings):
    settings = make_settings(allow_private_urls=True)
    Receiver.answers = [503, 400]
    with pytest.raises(TransientError):
        deliver(receiver, b"{}", settings, delivery_id="d2")
    with pytest.raises(IngestError) as info:
        deliver(receiver, b"{}", settings, delivery_id="d3")
    assert not info.value.retryable
