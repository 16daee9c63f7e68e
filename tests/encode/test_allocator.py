"""The glibc malloc tuning applied when a model loads on the CPU."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

SNIPPET = "from vidclip.encode.allocator import tune_for_inference as t; print(t(), t())"


def _python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the tuning is glibc's mallopt")
def test_applied_once_on_glibc_and_idempotent():
    assert _python(SNIPPET) == "True True"


def _load_tiny(tune_malloc: bool) -> str:
    return _python("from vidclip.config import ModelOptions; "
                   "from vidclip.encode.clip import ClipEncoder; "
                   "from vidclip.encode import allocator; "
                   f"ClipEncoder(ModelOptions(name='tiny-test', device='cpu', "
                   f"tune_malloc={tune_malloc})).load(); print(allocator._applied)")


def test_loading_a_cpu_model_applies_it():
    assert _load_tiny(True) == str(platform.libc_ver()[0] == "glibc")


def test_can_be_turned_off():
    assert _load_tiny(False) == "None"  # never asked for
