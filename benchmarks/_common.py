"""Small helpers shared by the benchmark scripts: cache folder, child runs, tables.

Each measured configuration runs in its own child process (the script
re-invoked with ``--child NAME``), so its peak RSS is its own and one
configuration's warm caches or threads never help another.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
#: The real clips beside the repository; VIDCLIP_SHARED_MEDIA points elsewhere (a git
#: worktree, whose parent is not the checkout's).
SHARED_MEDIA = Path(os.environ.get("VIDCLIP_SHARED_MEDIA", REPO.parent / "shared" / "media"))


def cache_dir() -> Path:
    """Where generated clips are kept between runs (``benchmarks/.cache``, git-ignored)."""
    path = Path(os.environ.get("VIDCLIP_BENCH_CACHE", BENCH_DIR / ".cache"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports kibibytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_child(script: Path, name: str, args: list[str], timeout: float = 1800) -> dict:
    """Run ``script --child name args --child-out F`` and return the JSON it wrote to F."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, str(script), "--child", name, *args, "--child-out", str(out)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0 or not out.exists():
            tail = (proc.stderr or proc.stdout)[-2000:]
            raise RuntimeError(f"{name} failed (exit {proc.returncode}):\n{tail}")
        return json.loads(out.read_text())


def write_child_result(path: str, result: dict) -> None:
    result.setdefault("peak_rss_mb", round(peak_rss_mb(), 1))
    Path(path).write_text(json.dumps(result))


def table(headers: list[str], rows: list[list]) -> str:
    """A plain fixed-width table (numbers right-aligned)."""

    def cell(v) -> str:
        if isinstance(v, float):
            return f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}"
        return "-" if v is None else str(v)

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    numeric = [all(isinstance(r[i], (int, float)) or r[i] is None for r in rows)
               for i in range(len(headers))]

    def line(values) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric))

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells])


def save_json(path: str | None, data: dict) -> None:
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(data, indent=1))
        print(f"\nfigures written to {path}")


def video_summary(path: Path) -> dict:
    """Duration, rate, size and frame count of a video, read with PyAV."""
    import av

    with av.open(str(path)) as c:
        s = c.streams.video[0]
        fps = float(s.average_rate or s.guessed_rate or 0)
        duration = float(s.duration * s.time_base) if s.duration else float(c.duration or 0) / 1e6
        frames = s.frames or int(round(duration * fps))
        return {"duration_s": round(duration, 3), "fps": round(fps, 3), "frames": frames,
                "width": s.codec_context.width, "height": s.codec_context.height,
                "codec": s.codec_context.name}


def machine() -> str:
    """One line that says where the figures came from."""
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
