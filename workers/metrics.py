"""Prometheus metrics of the workers, defined once here and observed from what a
run returns (:class:`vidclip.pipeline.RunOutput`: typed stream counters and
stage timings), so the core never calls prometheus_client.

A worker has several pool processes. ``vidclip worker`` with
``VIDCLIP_WORKER_METRICS_PORT`` puts prometheus_client in multiprocess mode
(``PROMETHEUS_MULTIPROC_DIR``, set before this module is imported): each
pool process writes its values to its own memory-mapped files, and the
worker's main process serves them all, summed, on that one port
(:func:`serve`). One port per machine instead of one per pool process: pool
processes come and go (a crash, a kill at the hard time limit), and
Prometheus would have to find each new one. Counters of a dead process are
kept, so totals never go backwards.
"""

from __future__ import annotations

import os
import sys

from prometheus_client import Counter, Gauge, Histogram

#: Stage durations range from milliseconds (tag a short clip) to an hour.
STAGE_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)

STAGE_SECONDS = Histogram(
    "vidclip_stage_duration_seconds", "Time one job spent in a pipeline stage (decode and "
    "encode overlap: they run at once).", ["stage"], buckets=STAGE_BUCKETS)
TASK_SECONDS = Histogram(
    "vidclip_task_duration_seconds", "Time of one task execution, by task and outcome.",
    ["task", "outcome"], buckets=STAGE_BUCKETS)
FRAMES_DECODED = Counter("vidclip_frames_decoded_total",
                         "Frames the decoder produced, sampled or not.")
IMAGES_ENCODED = Counter("vidclip_images_encoded_total", "Frames embedded by the image model.")
ENCODE_SECONDS = Counter("vidclip_encode_seconds_total",
                         "Time spent inside the image model (images/s = the ratio of rates).")
TEXT_FRAMES_READ = Counter("vidclip_text_frames_read_total",
                           "Frames the on-screen text reader ran on.")
TEXT_READER_FAILURES = Counter(
    "vidclip_text_reader_failures_total", "Analyses whose on-screen text could not be read "
    "(the reader did not load, or failed on the video).")
SPEECH_SECONDS = Counter("vidclip_speech_audio_seconds_total",
                         "Seconds of audio the speech stage decoded and listened to.")
SPEECH_FAILURES = Counter(
    "vidclip_speech_failures_total", "Analyses whose speech could not be transcribed (the "
    "recogniser did not load, or the audio failed part-way).")
MODEL_LOAD_SECONDS = Histogram(
    "vidclip_model_load_duration_seconds", "Time to load the image model in a pool process.",
    ["model"], buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300))
TASK_RETRIES = Counter(
    "vidclip_task_retries_total", "Task executions handed back to run again later, by reason "
    "(a transient fault's code, or busy: another worker held the job).", ["task", "reason"])
LEASE_TAKEOVERS = Counter(
    "vidclip_lease_takeovers_total", "Jobs taken over from a worker whose lease ran out "
    "(it died or lost its connection).")
GPU_MEMORY = Gauge(
    "vidclip_gpu_memory_allocated_bytes", "GPU memory held by the model's tensors after the "
    "last job, per device (summed over live pool processes).", ["device"],
    multiprocess_mode="livesum")
GPU_PEAK = Gauge(
    "vidclip_gpu_memory_peak_bytes", "Most GPU memory the last job of a pool process held.",
    ["device"], multiprocess_mode="livemax")

#: Result timings fields of the analysis (the caption task reports caption_s).
_ANALYSIS_TIMINGS = (("decode", "decode_s"), ("encode", "encode_s"), ("segment", "segment_s"),
                     ("tag", "tag_s"), ("moderate", "moderate_s"),
                     ("text", "text_s"), ("speech", "speech_s"))


def observe_run(run) -> None:
    """What one analysis (a :class:`vidclip.pipeline.RunOutput`) did."""
    for stage, field in _ANALYSIS_TIMINGS:
        seconds = getattr(run.analysis.timings, field, None)
        if seconds is not None:
            STAGE_SECONDS.labels(stage).observe(seconds)
    FRAMES_DECODED.inc(run.decode.frames)
    IMAGES_ENCODED.inc(run.encode.frames)
    ENCODE_SECONDS.inc(run.encode.seconds)
    reader = run.analysis.text_reader
    if reader is not None:
        TEXT_FRAMES_READ.inc(reader.frames_read)
        if reader.fallback_reason:
            TEXT_READER_FAILURES.inc()
    transcript = run.analysis.transcript
    if transcript is not None and transcript.audio is not None:
        SPEECH_SECONDS.inc(transcript.audio.duration_s)
    if (transcript is not None and transcript.note) or any(
            s.part == "transcript" and "did not" in s.reason for s in run.analysis.skipped):
        SPEECH_FAILURES.inc()
    observe_gpu()


def observe_gpu() -> None:
    """GPU memory, only where torch is already loaded and has a GPU (never imports it)."""
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_available():
        return
    for index in range(torch.cuda.device_count()):
        device = f"cuda:{index}"
        GPU_MEMORY.labels(device).set(torch.cuda.memory_allocated(index))
        GPU_PEAK.labels(device).set(torch.cuda.max_memory_allocated(index))
        torch.cuda.reset_peak_memory_stats(index)


def serve(host: str, port: int) -> None:
    """Serve every pool process's metrics from this (the main) process."""
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        raise RuntimeError("worker metrics need PROMETHEUS_MULTIPROC_DIR set before start")
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    start_http_server(port, addr=host, registry=registry)


def process_exited(pid: int) -> None:
    """Drop a pool process's live gauges (its counters stay in the totals)."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        from prometheus_client.multiprocess import mark_process_dead

        mark_process_dead(pid)
