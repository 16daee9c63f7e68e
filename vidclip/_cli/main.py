"""``vidclip`` command line: a thin layer over the public API."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from vidclip import __version__
from vidclip._cli import search as search_cli
from vidclip._cli.options import analysis_options, config_from_options
from vidclip.config import DEFAULT_MODEL
from vidclip.errors import VidclipError
from vidclip.logs import FORMATS
from vidclip.logs import configure as configure_logging
from vidclip.progress import overall_progress


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)


def _fail_on(video: Path, exc: VidclipError) -> None:
    """One line naming the file (the core's input errors already start with it)."""
    message = exc.message
    _fail(message if message.startswith(str(video)) else f"{video}: {message}")


class _Progress:
    """One tqdm bar per video, advanced by the pipeline's progress callback."""

    def __init__(self, name: str, quiet: bool):
        self.bar = None
        self.stages: dict[str, float] = {}
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=100, desc=name[:30], unit="%", leave=False,
                            bar_format="{desc} {bar} {percentage:3.0f}% {postfix}")

    def __call__(self, stage: str, fraction: float) -> None:
        if self.bar is None:
            return
        self.stages[stage] = fraction
        self.bar.n = min(100, round(overall_progress(self.stages) * 100))
        self.bar.set_postfix_str(stage)
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@click.group()
@click.version_option(__version__, prog_name="vidclip")
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
@click.option("--log-format", type=click.Choice(FORMATS), default="text", show_default=True,
              envvar="VIDCLIP_LOG_FORMAT", help="Log lines as text or JSON (with job_id and "
              "stage) [VIDCLIP_LOG_FORMAT].")
def cli(verbose: int, log_format: str) -> None:
    """Scenes, zero-shot tags, moderation flags and captions for videos."""
    level = logging.WARNING - 10 * min(verbose, 2)
    configure_logging(log_format, level)
    # Child processes (`vidclip up` starts a worker) log the same way.
    os.environ["VIDCLIP_LOG_FORMAT"] = log_format


def _analyse_into(pipeline, video: Path, outdir: Path, stem: str, formats,
                  quiet: bool) -> list[str]:
    progress = _Progress(video.name, quiet)
    try:
        run = pipeline.run(video, progress=progress)
    finally:
        progress.close()
    return _write_run(run, outdir, stem, formats)


#: Whether this process already said why the caption files are missing.
_SAID_NO_CAPTIONS: list[bool] = []


def _write_run(run, outdir: Path, stem: str, formats) -> list[str]:
    from vidclip.output import write_outputs
    from vidclip.output.captions import NO_TRANSCRIPT

    if "captions" in formats and run.analysis.caption_track is None and not _SAID_NO_CAPTIONS:
        _SAID_NO_CAPTIONS.append(True)
        reason = _no_transcript_reason(run.analysis)
        click.echo(f"vidclip: {NO_TRANSCRIPT}" + (f" ({reason})" if reason else ""), err=True)

    embeddings = (run.embeddings, run.times_s, run.indices) if "npy" in formats else None
    thumbnails = run.thumbnails.scenes if run.thumbnails is not None else None
    moments = None
    if "moments" in formats:
        from vidclip.index.files import moments_bytes
        from vidclip.index.identity import ModelIdentity

        moments = moments_bytes(run.moments(), ModelIdentity.of(run.analysis.model))
    paths = write_outputs(run.analysis, outdir, stem, formats, embeddings, thumbnails,
                          moments)
    return [str(p) for p in paths.values()]


def _no_transcript_reason(analysis) -> str | None:
    """What the result says about the missing transcript, when it says."""
    return next((s.reason for s in analysis.skipped if s.part == "transcript"), None)


@cli.command()
@click.argument("videos", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result JSON to stdout.")
@analysis_options
def analyze(videos: tuple[Path, ...], as_json: bool, **options) -> None:
    """Analyse VIDEOS; write OUTDIR/<stem>.json, .scenes.vtt, .scenes.srt and .tags.csv."""
    from vidclip.decode.probe import probe_facts
    from vidclip.stages.audio_only import audio_only

    formats = options["formats"]
    failures = 0
    readable = []
    for video in videos:  # bad input is answered before any model loads
        try:
            if not audio_only(str(video)):  # speech alone is analysed too
                probe_facts(video)
            readable.append(video)
        except VidclipError as exc:
            failures += 1
            _fail_on(video, exc)
    if not readable:
        sys.exit(1)
    pipeline = _ready_pipeline(config_from_options(options))
    outdir = Path(options["outdir"])
    with pipeline:
        for video in readable:
            try:
                if as_json:
                    run = pipeline.run(video, progress=_Progress(video.name, True))
                    click.echo(run.analysis.model_dump_json(indent=2))
                    continue
                written = _analyse_into(pipeline, video, outdir, video.stem, formats,
                                        options["quiet"])
                click.echo(f"{video}: " + ", ".join(written), err=True)
            except VidclipError as exc:
                failures += 1
                _fail_on(video, exc)
    sys.exit(1 if failures else 0)


def _ready_pipeline(config):
    """A set-up pipeline, after one line on stderr if ``--model auto`` chose for the user;
    exits with status 2 and the reason when the model or a data file cannot be loaded."""
    from vidclip.pipeline import Pipeline

    try:
        pipeline = Pipeline(config)
        if config.model.name == DEFAULT_MODEL and pipeline.model_choice is not None:
            click.echo(pipeline.model_choice.note(), err=True)
        pipeline.setup()
    except VidclipError as exc:
        _fail(exc.message)
        sys.exit(2)
    return pipeline


def _batch_analyser(config: dict, formats: tuple[str, ...]):
    """Builds the analyser of one ``vidclip batch --jobs N`` worker process."""
    from vidclip.config import AnalysisConfig
    from vidclip.pipeline import Pipeline

    pipeline = Pipeline(AnalysisConfig.model_validate(config))
    pipeline.setup()

    def one(video: Path, out: Path, stem: str) -> list[str]:
        return _analyse_into(pipeline, video, out, stem, formats, quiet=True)

    return one


@cli.command()
@click.argument("target", type=click.Path(path_type=Path))
@click.option("--no-resume", is_flag=True, help="Redo videos whose JSON already exists.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also index each video's moments into this directory as it finishes "
              "(keeps <stem>.moments.npz beside the JSON); `vidclip search` reads it.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes, each with its own model and cores/N threads. One "
              "process already decodes several videos into shared encoder batches; keep 1 "
              "on a GPU.")
@click.option("--decoders", type=click.IntRange(min=0), default=0, show_default=True,
              help="Videos decoded at once into shared encoder batches (with --jobs 1); "
              "0: 3 beside a CPU model, 4 beside a GPU.")
@click.option("--one-at-a-time", is_flag=True, help="With --jobs 1, analyse the videos one "
              "after the other, each in its own encoder calls, instead of in shared batches.")
@analysis_options
def batch(target: Path, no_resume: bool, index_dir: Path | None, jobs: int, decoders: int,
          one_at_a_time: bool, **options) -> None:
    """Tag every video in a directory (or listed in a file), resumably."""
    import functools

    from vidclip.batch import SharedBatch, discover, run_batch
    from vidclip.encode import choose_model

    formats = options["formats"]
    if "json" not in formats:
        formats = ("json", *formats)  # the JSON marks a finished video for resuming
    if index_dir is not None and "moments" not in formats:
        formats = (*formats, "moments")
        options["formats"] = formats
    pipeline = None
    try:
        config = config_from_options(options)
        videos, root = discover(target, audio=config.speech.backend != "off")
        if jobs > 1 and config.model.name == DEFAULT_MODEL:
            # Resolved once here, so every worker process runs the same model.
            choice = choose_model(config.model)
            click.echo(choice.note(), err=True)
            config = config.model_copy(update={"model": choice.options})
    except VidclipError as exc:
        _fail(exc.message)
        sys.exit(2)
    if jobs == 1:
        pipeline = _ready_pipeline(config)
    outdir = Path(options["outdir"])

    def write(run, out: Path, stem: str) -> list[str]:
        return _write_run(run, out, stem, formats)

    indexer = _BatchIndexer(index_dir, root, outdir) if index_dir is not None else None

    def show(item) -> None:
        line = f"[{item.status}] {item.source}"
        if item.error:
            line += f": {item.error}"
        click.echo(line, err=True)
        if indexer is not None:
            indexer(item)

    shared = analyse_one = None
    if pipeline is not None and one_at_a_time:
        analyse_one = functools.partial(_analyse_into, pipeline, formats=formats, quiet=True)
    elif pipeline is not None:
        shared = SharedBatch(pipeline, write, decoders)
    try:
        report = run_batch(
            videos, outdir, analyse_one, root=root, formats=formats, resume=not no_resume,
            on_item=show, jobs=jobs, shared=shared,
            make_analyser=functools.partial(_batch_analyser, config.model_dump(mode="json"),
                                            tuple(formats)),
        )
    except VidclipError as exc:  # a worker could not load the model: every file would fail
        _fail(exc.message)
        sys.exit(2)
    finally:
        if pipeline is not None:
            pipeline.close()
        if indexer is not None:
            indexer.close()
    click.echo(
        f"done {report.count('done')}, skipped {report.count('skipped')}, "
        f"failed {report.count('failed')} (summary: {outdir / 'batch-summary.json'})",
        err=True,
    )
    for item in report.failed:
        click.echo(f"  failed: {item.source}: {item.error}", err=True)
    sys.exit(1 if report.failed else 0)


class _BatchIndexer:
    """Indexes each finished (or, resuming, skipped) video of a batch as it is reported:
    the batch's own process is the index's one writer, whatever ``--jobs`` is."""

    def __init__(self, index_dir: Path, root: Path | None, outdir: Path):
        from vidclip.index.ingest import Indexer

        self.indexer = Indexer(index_dir)
        self.root = root
        self.outdir = outdir
        self.failed = 0

    def __call__(self, item) -> None:
        from vidclip.batch.discover import output_stem

        if item.status not in ("done", "skipped"):
            return
        folder, stem = output_stem(Path(item.source), self.root, self.outdir)
        try:
            self.indexer.add_result(folder / f"{stem}.json")
        except VidclipError as exc:
            self.failed += 1
            click.echo(f"  not indexed: {item.source}: {exc.message}", err=True)

    def close(self) -> None:
        self.indexer.close()


@cli.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of the result."""
    import json

    from vidclip.schema import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


def _add_service_commands() -> None:
    try:
        from vidclip._cli import service
    except ImportError:  # the service commands are not installed
        return
    for name in ("serve", "worker", "up"):
        command = getattr(service, name, None)
        if command is not None:
            cli.add_command(command)
    from vidclip._cli.db import db
    from vidclip._cli.keys import keys

    cli.add_command(keys)
    cli.add_command(db)


_add_service_commands()
cli.add_command(search_cli.index_cmd)
cli.add_command(search_cli.search_cmd)


def main() -> None:  # pragma: no cover - console entry
    cli()


if __name__ == "__main__":  # pragma: no cover
    main()
