"""``vidclip index`` and ``vidclip search``: an archive's moments, found by text or picture."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from vidclip.errors import VidclipError


def _fail(message: str, status: int = 2) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(status)


def _timecode(seconds: float) -> str:
    minutes, secs = divmod(max(seconds, 0.0), 60)
    hours, minutes = divmod(int(minutes), 60)
    return (f"{hours}:{minutes:02d}:{secs:04.1f}" if hours else f"{minutes}:{secs:04.1f}")


@click.command("index")
@click.argument("results_dir", type=click.Path(path_type=Path))
@click.option("--index", "index_dir", required=True, type=click.Path(path_type=Path),
              help="Index directory (one subdirectory per model).")
@click.option("--rebuild", is_flag=True, help="Recreate the index from the stored "
              "<stem>.moments.npz files (after a crash, a corrupt index or a lost directory).")
def index_cmd(results_dir: Path, index_dir: Path, rebuild: bool) -> None:
    """Index the results under RESULTS_DIR that kept their moments (.moments.npz)."""
    from vidclip.index.ingest import index_results
    from vidclip.index.ingest import rebuild as rebuild_index

    def show(path: Path, added: int | None, error: str | None) -> None:
        if error:
            click.echo(f"[failed] {path}: {error}", err=True)
        elif added is not None:
            click.echo(f"[indexed] {path}: {added} moments", err=True)

    try:
        report = (rebuild_index if rebuild else index_results)(results_dir, index_dir, show)
    except VidclipError as exc:
        _fail(exc.message)
    click.echo(f"indexed {report.added} videos ({report.moments} moments), "
               f"unchanged {report.unchanged}, failed {len(report.failed)}", err=True)
    if report.added + report.unchanged == 0 and not report.failed:
        click.echo(f"note: no .moments.npz under {results_dir}; analyse with "
                   "`vidclip batch ... --index DIR` (or --formats json,moments) first.", err=True)
    sys.exit(1 if report.failed else 0)


def open_index(index_dir: Path, model: str | None, pretrained: str | None):
    """The index of ``--model`` in ``index_dir``, or the only one there."""
    from vidclip.errors import ModelMismatchError, SearchIndexError
    from vidclip.index.archive import MomentIndex, model_dirs

    held = [ident for _, ident in model_dirs(index_dir)]
    if model is None or not held:
        return MomentIndex.only(index_dir)  # or says how to make one
    found = [ident for ident in held if model in (ident.name, ident.model_name)
             and (pretrained is None or ident.pretrained == pretrained)]
    if not found:
        raise ModelMismatchError(
            f"{index_dir} holds {'; '.join(i.describe() for i in held)}: a query embedded by "
            f"{model} cannot be compared with those vectors. Leave --model out to use the "
            f"index's own model, or index the archive with --model {model}.")
    if len(found) > 1:
        raise SearchIndexError(f"{index_dir} holds several indexes of {model}: add --pretrained.")
    return MomentIndex(index_dir, found[0])


def _embedder(index, model: str | None, pretrained: str | None, device: str | None):
    from vidclip.config import ModelOptions, default_cache_dir
    from vidclip.encode import build_chosen, choose_model
    from vidclip.index.query import QueryEmbedder

    ident = index.identity
    options = ModelOptions(name=model or ident.model_name,
                           pretrained=(pretrained or ident.model_pretrained
                                       or ModelOptions().pretrained),
                           **({"device": device} if device else {}))
    cache_dir = default_cache_dir()
    return QueryEmbedder(build_chosen(choose_model(options), cache_dir=cache_dir), cache_dir)


def _hit_dict(hit) -> dict:
    out = {"source": hit.video.source, "result": hit.video.key, "kind": hit.kind,
           "found": hit.source, "scene": hit.scene, "start_s": round(hit.start_s, 3),
           "end_s": round(hit.end_s, 3), "score": hit.score, "tags": hit.tags,
           "flags": hit.flags}
    if hit.snippet is not None:
        out.update(snippet=hit.snippet, highlights=[list(span) for span in hit.highlights])
    if hit.fused is not None:
        out.update(fused=hit.fused, found_by=list(hit.found_by))
    return out


def _marked(hit) -> str:
    """The snippet with its matches in [brackets], for a terminal."""
    text, out, at = hit.snippet or "", [], 0
    for start, end in hit.highlights:
        out += [text[at:start], "[", text[start:end], "]"]
        at = end
    return "".join(out) + text[at:]


def _table(hits) -> str:
    rows = [("#", "source", "start-end", "score", "found", "what")]
    for rank, hit in enumerate(hits, 1):
        if hit.snippet is not None:
            what = ("said: " if hit.source == "speech" else "on screen: ") + _marked(hit)
        else:
            what = ", ".join(t["label"] for t in hit.tags[:3])
        what += "".join(f" [{f}]" for f in hit.flags)
        found = "+".join(hit.found_by) if hit.found_by else hit.source
        rows.append((str(rank), Path(hit.video.source).name,
                     f"{_timecode(hit.start_s)}-{_timecode(hit.end_s)}", f"{hit.score:.2f}",
                     found, what))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r[:5], widths, strict=True))
                     + "  " + r[5] for r in rows)


def _query(index, embedder, text, image, like):
    if embedder is None:
        return None
    if text is not None:
        return embedder.text(text)
    if image is not None:
        return embedder.image(image.read_bytes(), str(image))
    return embedder.like(like, index)


@click.command("search")
@click.argument("text", required=False)
@click.option("--index", "index_dir", required=True, type=click.Path(path_type=Path),
              help="Index directory made by `vidclip batch --index` or `vidclip index`.")
@click.option("--image", type=click.Path(path_type=Path), help="Find moments like this picture.")
@click.option("--like", "like", metavar="VIDEO@TIME",
              help="Find moments like this one, e.g. clip.mp4@1:23.")
@click.option("--mode", type=click.Choice(["hybrid", "visual", "text"]), default="hybrid",
              show_default=True, help="What TEXT is matched against: the picture (visual), "
              "what was said and written on screen (text: no model is loaded), or both, "
              "fused by rank (hybrid). --image and --like are visual.")
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--tag", help="Only moments tagged LABEL (among their top tags).")
@click.option("--flagged/--not-flagged", default=None, help="Only moments with (without) "
              "moderation flags.")
@click.option("--source", "source_glob", metavar="GLOB", help="Only videos whose source "
              "matches GLOB, e.g. '*/2024/*'.")
@click.option("--min-duration", type=click.FloatRange(min=0), help="Only moments at least S "
              "seconds long.")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@click.option("--thumbnails", type=click.Path(file_okay=False, path_type=Path),
              help="Write one JPEG per hit into this directory.")
@click.option("--model", default=None, help="The query's model (default: the index's).")
@click.option("--pretrained", default=None, help="The query model's weights.")
@click.option("--device", default=None, help="Device for the query model.")
def search_cmd(text, index_dir, image, like, mode, top, tag, flagged, source_glob, min_duration,
               as_json, thumbnails, model, pretrained, device) -> None:
    """Find moments of an indexed archive by TEXT (what they show, what is said or
    written in them), --image or --like."""
    from vidclip.index.catalog import Filters
    from vidclip.index.checks import check_text
    from vidclip.index.hybrid import search

    asked = [q for q in (text, image, like) if q is not None]
    if len(asked) != 1:
        _fail("give one query: TEXT, --image PICTURE or --like VIDEO@TIME.")
    if mode == "text" and text is None:
        _fail("--mode text searches words: give TEXT, not --image or --like.")
    try:
        if text is not None:
            check_text(text)  # before any model loads
        if image is not None and not image.is_file():
            _fail(f"{image}: no such file.")
        index = open_index(index_dir, model, pretrained)
        if mode != "visual" and text is not None and not index.has_words():
            click.echo(f"note: {index_dir} holds no words yet (indexed before transcripts and "
                       f"on-screen text were): run `vidclip index RESULTS_DIR --index "
                       f"{index_dir}` to add them.", err=True)
        needs_model = mode != "text" or text is None
        embedder = _embedder(index, model, pretrained, device) if needs_model else None
        filters = Filters(tag=tag, flagged=flagged, source_glob=source_glob,
                          min_duration_s=min_duration)
        hits = search(index, mode, text=text, vector=_query(index, embedder, text, image, like),
                      top=top, filters=filters)
    except VidclipError as exc:
        _fail(exc.message)
    if thumbnails is not None:
        from vidclip._cli.thumbnails import write_hit_thumbnails

        for note in write_hit_thumbnails(hits, thumbnails):
            click.echo(note, err=True)
    if as_json:
        click.echo(json.dumps({"hits": [_hit_dict(h) for h in hits]}, indent=2))
    elif hits:
        click.echo(_table(hits))
    else:
        click.echo("nothing found", err=True)
