"""Fault: the data directory fills up. Media and results live on a small tmpfs
mounted for the test (the job store is elsewhere, as it should be: a store on
a full disk cannot record anything). An upload is refused with 507 and a
clear message, leaving no job and no file; a running job fails with a clear
reason and no half-written result; what was stored before is intact; once
space returns, uploads and jobs work again."""

from __future__ import annotations

import errno
import hashlib
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.service.conftest import (
    API_KEY,
    build_settings,
    clear_vidclip_env,
    free_port,
    wait_until_ready,
)
from tests.service.jobrun import upload, wait_final
from tests.service.servers import ApiProcess

pytestmark = [pytest.mark.service, pytest.mark.slow, pytest.mark.timeout(180)]

SIZE = "4m"


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "data"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE},mode=0755", "tmpfs",
                           str(mount)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(directory: Path) -> Path:
    """Write until the file system says ENOSPC; the filler file."""
    filler = directory / "filler"
    chunk = b"\0" * 65536
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(chunk)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    # Take the last bytes too, so even a small result file cannot fit.
    try:
        with open(filler, "ab") as fh:
            while True:
                fh.write(b"\0" * 512)
                fh.flush()
    except OSError:
        pass
    return filler


def _digests(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in directory.rglob("*") if p.is_file()}


def test_full_data_directory(tmp_path, monkeypatch, small_disk, start_worker, clip, redis_url):
    from vidclip.jobs.store import JobStore

    clear_vidclip_env(monkeypatch)
    root = tmp_path / "root"
    root.mkdir()
    (root / "clip.mp4").write_bytes(clip.read_bytes())
    settings = build_settings(tmp_path, redis_url, port=free_port(),
                              database_url=f"sqlite:///{tmp_path / 'jobs.db'}",
                              media_dir=small_disk / "media", results_dir=small_disk / "results",
                              media_root=root)
    api = ApiProcess(settings, tmp_path / "api.log")
    worker = start_worker(settings)
    store = JobStore(settings.database_url)
    filler = None
    try:
        with httpx.Client(base_url=api.url, headers={"X-API-Key": API_KEY}, timeout=30) as http:
            assert wait_until_ready(http) == 200, api.log()[-2000:]
            first = upload(http, clip, formats="json,vtt,srt,csv").json()["id"]
            assert wait_final(store, [first], 90)[first] == "succeeded", worker.log()[-3000:]
            before = _digests(settings.results_dir / first)

            filler = _fill(small_disk)
            refused = upload(http, clip)
            assert refused.status_code == 507, refused.text
            error = refused.json()["error"]
            assert error["code"] == "insufficient_storage" and "disk space" in error["message"]
            assert [j["id"] for j in http.get("/v1/jobs").json()["items"]] == [first]
            assert {p.name for p in (settings.media_dir).iterdir()} == {first}

            # A job that needs no upload (a path under the media root) runs, and
            # fails when it writes its results.
            r = http.post("/v1/jobs", json={"path": "clip.mp4", "formats": ["json", "vtt"]})
            assert r.status_code == 202, r.text
            running = r.json()["id"]
            assert wait_final(store, [running], 90)[running] == "failed", worker.log()[-3000:]
            failed = http.get(f"/v1/jobs/{running}").json()
            assert failed["error"]["code"] == "insufficient_storage", failed
            assert "disk space" in failed["error"]["message"]
            assert not (settings.results_dir / running).exists()

            # Nothing stored before was damaged.
            assert _digests(settings.results_dir / first) == before
            assert http.get(f"/v1/jobs/{first}/result").status_code == 200

            filler.unlink()  # space comes back
            again = upload(http, clip)
            assert again.status_code == 202, again.text
            job_id = again.json()["id"]
            assert wait_final(store, [job_id], 90)[job_id] == "succeeded", worker.log()[-3000:]
        assert "Traceback" not in api.log(), api.log()[-3000:]
    finally:
        store.close()
        api.stop()
        worker.stop()
