"""The openai captioner through the official client against a real local server:
answers from SmolLM2, then 429, 500, refusals, a dead port and a hang."""

from __future__ import annotations

import socket
import time

import pytest

from tests.caption.evidence import openai_options, sample_request, untraced_words
from vidclip.caption.registry import get_captioner
from vidclip.caption.template import TemplateCaptioner

openai = pytest.importorskip("openai")

GOOD = ["A dog is on the beach.", "A car is in a city street.",
        "A person is in a kitchen.", "A dog, a car and a kitchen are seen."]


def caption(base_url, request=None, **options):
    captioner = get_captioner(openai_options(base_url, **options))
    try:
        return captioner.caption(request or sample_request())
    finally:
        captioner.close()


@pytest.mark.slow
def test_captions_from_a_real_model_over_the_real_protocol(model_server):
    request = sample_request(scenes=2)
    result = caption(model_server.base_url, request, max_concurrency=2)
    assert (result.backend, result.model) == ("openai", "smollm2-135m")
    assert result.prompt == "scene_caption@3,audio_description@2,summary@3"
    assert len(model_server.requests) >= 5  # 2 captions, 2 descriptions, 1 summary
    assert model_server.requests[0]["stop"] == ["\n"]
    template = TemplateCaptioner().caption(request)
    for ours, fallback in zip(result.scenes, template.scenes):
        assert ours.text and "\n" not in ours.text
        # Either the model's grounded caption or, if it strayed twice, the template's.
        assert ours.grounded is True or (ours.grounded is False and ours.text == fallback.text)
    assert [d.index for d in result.descriptions] == [0, 1]
    assert result.generation.tokens > 0
    assert result.summary
    assert untraced_words(result, request) == []  # whatever was shipped, model's or template's


@pytest.mark.slow
def test_the_completions_api_works_too(model_server):
    result = caption(model_server.base_url, sample_request(scenes=1), api="completions",
                     descriptions=False)
    assert result.backend == "openai" and result.scenes[0].text
    assert "prompt" in model_server.requests[0] and "messages" not in model_server.requests[0]


def test_429_is_retried_then_the_answer_is_used(script_server):
    script_server.fail_next(429, times=2, retry_after=0.05)
    script_server.script.extend(GOOD)
    t0 = time.perf_counter()
    result = caption(script_server.base_url, max_concurrency=1, descriptions=False)
    assert time.perf_counter() - t0 >= 0.1  # waited Retry-After twice
    assert len(script_server.requests) == 2 + 4
    assert result.scenes[0].text == GOOD[0] and result.fallback_reason is None


def test_exhausted_5xx_retries_fall_back_to_the_template_and_stop_asking(script_server):
    script_server.fail_next(500, times=100)
    result = caption(script_server.base_url, max_retries=2)
    # One scene spent 1 + 2 attempts; the others saw the endpoint marked down.
    assert len(script_server.requests) <= 3 * 4
    assert result.backend == "template" and result.model is None
    assert "HTTP 500, still after 2 retries" in result.fallback_reason
    assert "3 of 3 scene captions and the summary use the template" in result.fallback_reason
    assert all(c.grounded is None and "HTTP 500" in c.note for c in result.scenes)


def test_refusals_are_not_retried(script_server):
    script_server.fail_next(401, times=100)
    result = caption(script_server.base_url, max_concurrency=1)
    assert len(script_server.requests) == 1
    assert "refused the request (HTTP 401)" in result.fallback_reason


def test_a_hanging_server_costs_one_timeout(script_server):
    script_server.hang = True
    t0 = time.perf_counter()
    result = caption(script_server.base_url, timeout=1.0, max_concurrency=2)
    assert time.perf_counter() - t0 < 4.0
    assert len(script_server.requests) <= 2  # only the scenes already in flight
    assert "no answer within 1 s" in result.fallback_reason
    assert [c.text for c in result.scenes] == \
        [c.text for c in TemplateCaptioner().caption(sample_request()).scenes]


def test_nothing_listening_falls_back_after_retries():
    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = caption(f"http://127.0.0.1:{port}/v1", max_retries=1, max_concurrency=1)
    assert result.backend == "template"
    assert "connection failed" in result.fallback_reason


def test_backoff_grows_with_jitter_and_honours_retry_after(script_server):
    captioner = get_captioner(openai_options(script_server.base_url, backoff_s=1.0,
                                             max_backoff_s=4.0))
    delays = [captioner._delay(attempt, RuntimeError()) for attempt in range(4) for _ in range(20)]
    assert all(0.5 <= d <= 1.0 for d in delays[:20])
    assert all(2.0 <= d <= 4.0 for d in delays[40:])  # capped at max_backoff_s
    assert len({round(d, 6) for d in delays[:20]}) > 1  # jittered

    class Limited(Exception):
        class response:  # noqa: N801 -- the attribute the client's errors carry
            headers = {"retry-after": "30"}

    assert captioner._delay(0, Limited()) == 4.0  # a long Retry-After is capped
