"""What the two tasks do with a claimed job, free of Celery's calling conventions.

``analyze_job`` takes the media in (downloads a URL), runs the pipeline
without captions and stores the analysis; ``caption_job`` captions it, writes
the result files and finishes the job. Both turn every failure into one
:class:`Outcome`, so a bad video fails its job and the worker carries on.
"""

from __future__ import annotations

import enum
import logging
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.exc import OperationalError

from vidclip.errors import VidclipError
from vidclip.jobs.errors import NoSpaceError, is_no_space
from vidclip.jobs.media import job_media_dir, job_results_dir, purge_job_files, resolve_media_path
from vidclip.jobs.options import worker_config
from vidclip.jobs.status import JobStatus
from vidclip.jobs.store import JobStore
from workers import metrics
from workers.progress import JobReporter
from workers.runtime import Runtime

log = logging.getLogger(__name__)


class Outcome(enum.Enum):
    NEXT = "next"          # stage done: go on (analyze -> caption)
    FINISHED = "finished"  # the job reached a final state here: notify
    STOPPED = "stopped"    # another worker owns the job now, or it is gone: do nothing
    RETRY = "retry"        # a transient fault: try again later


@dataclass
class Result:
    outcome: Outcome
    error: BaseException | None = None


def analyze_job(rt: Runtime, job_id: str, worker: str) -> Result:
    return _run(rt, job_id, worker, _analyze)


def caption_job(rt: Runtime, job_id: str, worker: str) -> Result:
    return _run(rt, job_id, worker, _caption)


def _run(rt: Runtime, job_id: str, worker: str, step) -> Result:
    job = rt.store.get(job_id)
    if job is None:  # deleted since it was claimed
        return Result(Outcome.STOPPED)
    # The core names files by path; a client should see its own name, not the server's layout.
    stored = re.compile(re.escape(str(job_media_dir(rt.settings, job_id))) + r"/source\.\w+")
    shown = job.source_name or job.source_value

    def scrub(message: str) -> str:
        return stored.sub(shown, message)

    with JobReporter(rt.store, job_id, worker, lease_s=rt.settings.lease_s,
                     stages=job.stage_progress) as reporter:
        return _guarded(rt, job_id, worker, scrub, lambda: step(rt, job, worker, reporter))


def _analyze(rt: Runtime, job, worker: str, reporter: JobReporter) -> Outcome:
    media = _media(rt, job, worker, reporter)
    from vidclip.output.files import write_thumbnails

    # A first job with new labels embeds them: the job says so instead of looking stuck.
    pipeline = rt.pipeline(worker_config(job.options, rt.settings),
                           progress=lambda done, total: reporter("vocabulary", done / total))
    run = pipeline.run(media, progress=reporter, should_cancel=reporter.should_cancel,
                       caption=False)
    metrics.observe_run(run)
    outdir = job_results_dir(rt.settings, job.id)
    if run.thumbnails is not None:
        write_thumbnails(outdir, "result", run.thumbnails.scenes)
    if rt.settings.search_enabled:  # the job's moment vectors, for the search index
        from vidclip.index import ModelIdentity, save_moments

        outdir.mkdir(parents=True, exist_ok=True)
        save_moments(outdir / "result.moments.npz", run.moments(),
                     ModelIdentity.of(run.analysis.model))
    analysis = run.analysis
    shown = job.source_name or job.source_value
    analysis = analysis.model_copy(update={
        "video": analysis.video.model_copy(update={"source": shown})})
    saved = rt.store.save_partial(job.id, worker, analysis.model_dump_json(), reporter.stages,
                                  "caption")
    return Outcome.NEXT if saved else _stopped(rt, job.id, worker)


def _caption(rt: Runtime, job, worker: str, reporter: JobReporter) -> Outcome:
    from vidclip.output import write_outputs
    from vidclip.schema import VideoAnalysis

    pipeline = rt.caption_pipeline(worker_config(job.options, rt.settings))
    analysis = VideoAnalysis.model_validate_json(job.result_json)
    final = pipeline.caption(analysis, progress=reporter)
    metrics.STAGE_SECONDS.labels("caption").observe(final.timings.caption_s or 0.0)
    if reporter.should_cancel():
        return _stopped(rt, job.id, worker)
    formats = tuple(job.options.get("formats") or ("json",))
    outdir = job_results_dir(rt.settings, job.id)
    write_outputs(final, outdir, "result", formats)
    # Into the moderation queue before the job is final, so no crash between the
    # two leaves a succeeded, flagged job out of it (the queue lists succeeded
    # jobs only; a redelivery finds the item already there).
    rt.store.reviews.open_for_job(job.id, job.tenant, final.moderation, final.scenes)
    done = rt.store.finish(job.id, JobStatus.SUCCEEDED, worker=worker,
                           result_json=final.model_dump_json(), result_path=str(outdir),
                           stages=reporter.stages)
    return Outcome.FINISHED if done else Outcome.STOPPED


def _media(rt: Runtime, job, worker: str, reporter: JobReporter) -> Path:
    if job.source_kind == "url":
        if job.media_path and Path(job.media_path).is_file():
            return Path(job.media_path)
        from vidclip.jobs.download import download

        path = download(job.source_value, job_media_dir(rt.settings, job.id), rt.settings,
                        progress=lambda f: reporter("ingest", f))
        reporter("ingest", 1.0)
        rt.store.set_media(job.id, worker, str(path))
        return path
    if job.source_kind == "path":
        # Checked again here: the file may have become a symlink since submission.
        return resolve_media_path(rt.settings, job.media_path)
    return Path(job.media_path)


def _guarded(rt: Runtime, job_id: str, worker: str, scrub, work) -> Result:
    from vidclip.pipeline import Cancelled

    store = rt.store
    try:
        return Result(work())
    except Cancelled:
        return Result(_stopped(rt, job_id, worker))
    except SoftTimeLimitExceeded:
        limit = rt.settings.task_soft_time_limit_s
        return Result(_fail(store, job_id, worker, "timeout",
                            f"the job took longer than the limit of {limit} s."))
    except OperationalError as exc:  # the database went away for a moment
        return Result(Outcome.RETRY, exc)
    except VidclipError as exc:
        if exc.retryable:
            return Result(Outcome.RETRY, exc)
        log.info("job %s failed: %s: %s", job_id, exc.code, exc.message)
        return Result(_fail(store, job_id, worker, exc.code, scrub(exc.message)))
    except Exception as exc:
        if is_no_space(exc):
            return Result(_no_space(rt, job_id, worker))
        log.exception("job %s: unexpected error", job_id)
        _fail(store, job_id, worker, "internal_error",
              "the worker hit an unexpected error; its log has the details.")
        raise


def _no_space(rt: Runtime, job_id: str, worker: str) -> Outcome:
    """The data directory filled up: fail clearly and leave no half-written result
    (what other jobs stored is untouched; the media stays for a retry by hand)."""
    shutil.rmtree(job_results_dir(rt.settings, job_id), ignore_errors=True)
    log.error("job %s failed: the data directory is full", job_id)
    return _fail(rt.store, job_id, worker, NoSpaceError.code,
                 "the server ran out of disk space while working on this job; submit it "
                 "again later.")


def _fail(store: JobStore, job_id: str, worker: str, code: str, message: str) -> Outcome:
    done = store.finish(job_id, JobStatus.FAILED, worker=worker, error_code=code,
                        error_message=message)
    return Outcome.FINISHED if done else Outcome.STOPPED


def _stopped(rt: Runtime, job_id: str, worker: str) -> Outcome:
    """The pipeline stopped: a cancel to honour, or a job that is no longer ours."""
    job = rt.store.get(job_id)
    if job is None or not job.cancel_requested or job.worker != worker:
        return Outcome.STOPPED
    if job.purge_requested:  # files first, so "cancelled" is only seen once they are gone
        purge_job_files(rt.settings, job_id)
    done = rt.store.finish(job_id, JobStatus.CANCELLED, worker=worker,
                           detail="cancelled while running")
    return Outcome.FINISHED if done else Outcome.STOPPED


def cancel_waiting(rt: Runtime, job_id: str) -> Outcome:
    """A job cancelled between its steps (or before the first): end it here."""
    job = rt.store.get(job_id)
    if job is not None and job.purge_requested:
        purge_job_files(rt.settings, job_id)
    done = rt.store.finish(job_id, JobStatus.CANCELLED, worker=None,
                           detail="cancelled before this step ran")
    return Outcome.FINISHED if done else Outcome.STOPPED


def give_up(rt: Runtime, job_id: str, worker: str, error: BaseException | None) -> Outcome:
    """Retries spent on a transient fault: fail the job with what the fault said."""
    code = getattr(error, "code", "transient")
    message = getattr(error, "message", None) or f"a transient fault did not pass: {error}"
    return _fail(rt.store, job_id, worker, code, message)


def after_final(rt: Runtime, job_id: str) -> None:
    """Housekeeping once a job is final: its cancel asked for the files to go."""
    job = rt.store.get(job_id)
    if job is not None and job.purge_requested:
        purge_job_files(rt.settings, job_id)
        rt.store.clear_results(job_id)
