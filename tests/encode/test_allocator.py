"""The glibc malloc tuning applied when a model loads on the CPU."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

SNIPPET = "from vidclip.encode.allocator import tune_for_inference as t; print(t(), t())"


def _run(env_value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "VIDCLIP_TUNE_MALLOC"}
    if env_value is not None:
        env["VIDCLIP_TUNE_MALLOC"] = env_value
    return subprocess.run([sys.executable, "-c", SNIPPET], env=env, capture_output=True,
                          text=True, check=True).stdout.strip()


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the tuning is glibc's mallopt")
def test_applied_once_on_glibc_and_idempotent():
    assert _run(None) == "True True"


def test_can_be_turned_off():
    assert _run("0") == "False False"


def test_loading_a_cpu_model_applies_it():
    code = ("from vidclip.config import ModelOptions; from vidclip.encode.clip import ClipEncoder;"
            "from vidclip.encode import allocator;"
            "ClipEncoder(ModelOptions(name='tiny-test', device='cpu')).load();"
            "print(allocator._applied)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == str(platform.libc_ver()[0] == "glibc")
