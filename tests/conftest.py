"""Fixtures shared by every test package.

The whole suite runs offline (``HF_HUB_OFFLINE=1``) with its own text-
embedding cache, and with a tiny randomly initialised CLIP built in code.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: The real clips beside the repository; VIDCLIP_SHARED_MEDIA points elsewhere (a git
#: worktree, whose parent is not the checkout's).
SHARED_MEDIA = Path(os.environ.get("VIDCLIP_SHARED_MEDIA", REPO.parent / "shared" / "media"))


def pytest_addoption(parser, pluginmanager):
    """Where pytest-xdist is missing (or ``-p no:xdist``), the parallel options in
    ``addopts`` (pyproject.toml) are accepted and the suite runs in one process."""
    if pluginmanager.has_plugin("xdist"):
        return
    group = parser.getgroup("xdist", "parallel runs (without pytest-xdist: one process)")
    # pytest reserves lowercase short options for plugins; xdist registers -n the same way.
    group._addoption("-n", "--numprocesses", dest="numprocesses", default=None,
                     help="ignored: pytest-xdist is not installed")
    group.addoption("--maxprocesses", dest="maxprocesses", default=None, help="ignored")
    group.addoption("--dist", dest="dist", default="no", help="ignored")


def pytest_collection_modifyitems(config, items):
    """Files with the most ``slow`` tests first, each file's tests kept together.

    Run in parallel (``--dist loadfile``), the files are handed out in this
    order: the long ones start at once instead of being the last to finish
    while the other processes sit idle. Within a file the order is untouched.
    """
    files: dict[Path, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(item.path, []).append(item)
    slow = {path: sum(1 for item in tests if item.get_closest_marker("slow"))
            for path, tests in files.items()}
    ordered = sorted(files, key=lambda path: -slow[path])  # stable: collection order otherwise
    items[:] = [item for path in ordered for item in files[path]]


@pytest.fixture(scope="session", autouse=True)
def _offline_and_isolated(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("VIDCLIP_CACHE_DIR", str(tmp_path_factory.mktemp("vidclip-cache")))
        yield


@pytest.fixture(autouse=True)
def _normal_scheduling():
    """A test leaves this process's CPU scheduling as it found it.

    A native library that switches the test's thread to real-time scheduling (as
    SVT-AV1 does when run as root: ``vidclip.testing.synthetic.same_scheduling``)
    makes every later thread real-time too, and busy-waiting threads then starve the
    rest of the run, pytest-timeout's own thread included. Put it back and say which
    test did it.
    """
    yield
    if hasattr(os, "sched_getscheduler") and os.sched_getscheduler(0) != os.SCHED_OTHER:
        os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
        pytest.fail("the test left this process on real-time CPU scheduling (reset now)")


@pytest.fixture(autouse=True)
def _no_error_logs(caplog):
    """A test that logged at ERROR failed, whatever it asserted (as PySceneDetect does)."""
    yield
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR
              and not getattr(r, "expected", False)]
    if errors:
        pytest.fail("logged at ERROR: " + "; ".join(r.getMessage() for r in errors[:3]))


@pytest.fixture(scope="session")
def tiny_model_options():
    from vidclip.config import ModelOptions

    return ModelOptions(name="tiny-test", batch_size=16)


@pytest.fixture(scope="session")
def tiny_encoder(tiny_model_options):
    from vidclip.encode.clip import ClipEncoder

    encoder = ClipEncoder(tiny_model_options)
    encoder.load()
    return encoder


@pytest.fixture(scope="session")
def shared_media() -> Path:
    if not SHARED_MEDIA.is_dir():
        pytest.skip(f"real clips not present: {SHARED_MEDIA} (../shared/media beside the repo)")
    return SHARED_MEDIA


@pytest.fixture(scope="session")
def clips(tmp_path_factory):
    """Synthetic clips with known cuts, VFR and a delayed start (see tests/media.py)."""
    from tests.media import build

    return build(tmp_path_factory.mktemp("clips"))
