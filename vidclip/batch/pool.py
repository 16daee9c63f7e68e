"""Several processes tagging one archive, each with its own model.

On a CPU one process cannot keep every core busy on an archive of short
clips: each clip's few frames reach the encoder in small calls while the
decoder holds a core, and one file's decoding cannot start before the
previous one's encoding is done (benchmarks/archive.py measures it). N processes with cores/N torch
threads each decode and encode different files at once, so a core left idle
by one is used by another. Each process loads the model once (memory: one
model per process).

A process that dies on a file (a crash in native code, the OOM killer)
fails that file alone: it is recorded as ``worker_crashed`` and a fresh
process takes over the rest.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from multiprocessing.connection import wait
from pathlib import Path

from vidclip.batch.items import Analyser, Item, analyse_item
from vidclip.errors import VidclipError

#: Builds an analyser in a worker process; must be picklable (a module-level
#: function or a functools.partial of one), since workers are spawned.
AnalyserFactory = Callable[[], Analyser]
#: (video, out_dir, stem) of one file to analyse.
Task = tuple[Path, Path, str]


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _limit_threads(threads: int) -> None:
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(threads)


def _worker_main(conn, factory: AnalyserFactory, threads: int) -> None:
    """A worker process: build the analyser once, then answer tasks until told to stop."""
    _limit_threads(threads)
    try:
        analyse = factory()
    except BaseException as exc:
        message = exc.message if isinstance(exc, VidclipError) else f"{type(exc).__name__}: {exc}"
        conn.send(("setup_failed", message))
        return
    conn.send(("ready", None))
    while True:
        task = conn.recv()
        if task is None:
            return
        conn.send(("item", analyse_item(analyse, *task)))  # the same outcomes as in one process


class _Worker:
    def __init__(self, ctx, factory: AnalyserFactory, threads: int):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, factory, threads),
                                   name="vidclip-batch", daemon=True)
        self.process.start()
        child.close()
        self.starting = True  # until it says "ready": the model is loading
        self.task: int | None = None  # index of the task it holds
        self.started = 0.0

    def give(self, index: int, task: Task) -> None:
        self.task, self.started = index, time.perf_counter()
        self.conn.send(task)

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)
        self.conn.close()


def run_pool(tasks: list[Task], factory: AnalyserFactory, jobs: int) -> Iterator[tuple[int, Item]]:
    """Analyse ``tasks`` in ``jobs`` spawned processes; yields ``(index in tasks, Item)``
    as they finish.

    Raises :class:`VidclipError` if a worker cannot build its analyser (a
    missing model, a bad vocabulary): every file would fail the same way.
    """
    ctx = multiprocessing.get_context("spawn")  # never fork a process that holds torch threads
    threads = max(1, cpu_count() // jobs)
    pending = deque(enumerate(tasks))
    workers = [_Worker(ctx, factory, threads) for _ in range(min(jobs, len(pending)))]
    try:
        while any(w.starting or w.task is not None for w in workers):
            busy = [w for w in workers if w.starting or w.task is not None]
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
            for worker in busy:
                if worker.conn not in ready and worker.process.sentinel not in ready:
                    continue
                # None while the worker loads its model: then it holds no file.
                held, seconds = worker.task, round(time.perf_counter() - worker.started, 3)
                try:
                    kind, payload = worker.conn.recv()
                except (EOFError, OSError):
                    # Died without answering: the file's fault, not the run's.
                    kind, payload = "crashed", None
                if kind == "setup_failed":
                    raise VidclipError(payload, code="setup_failed")
                if kind == "crashed":
                    worker.process.join(5)
                    if held is None:
                        raise VidclipError(
                            f"a batch worker died while loading the model (exit code "
                            f"{worker.process.exitcode}).", code="setup_failed")
                    yield held, Item(
                        str(tasks[held][0]), "failed", error_code="worker_crashed",
                        error=f"the process analysing this file died (exit code "
                              f"{worker.process.exitcode}); the other files carry on",
                        seconds=seconds)
                elif kind == "item" and held is not None:
                    payload.seconds = seconds
                    yield held, payload
                worker.starting, worker.task = False, None
                if not pending:
                    continue
                if not worker.process.is_alive():  # never hand a file to a dead process
                    workers.remove(worker)
                    worker.stop()
                    workers.append(_Worker(ctx, factory, threads))
                    continue  # the new one takes a file once it says "ready"
                worker.give(*pending.popleft())
    finally:
        for worker in workers:
            worker.stop()
