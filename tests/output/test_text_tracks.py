import csv
import html
import io

import srt
import webvtt


def seconds(stamp: str) -> float:
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)

from vidclip.output import to_csv, to_srt, to_webvtt, write_outputs


def test_webvtt_parses_and_cues_match_scenes(analysis, tmp_path):
    path = tmp_path / "a.vtt"
    path.write_text(to_webvtt(analysis))
    cues = webvtt.read(str(path))
    assert len(cues) == 2  # the empty scene gets no cue
    assert [(seconds(c.start), seconds(c.end)) for c in cues] == [(0.0, 4.2), (4.2, 9.0)]
    assert all(len(line) <= 42 for c in cues for line in c.text.splitlines())
    assert "-->" not in cues[1].text
    # They describe the picture: a player must not take them for captions of the speech.
    assert "Kind: descriptions" in path.read_text() and "Kind: captions" not in path.read_text()


def test_srt_round_trips(analysis):
    subs = list(srt.parse(to_srt(analysis)))
    assert [s.index for s in subs] == [1, 2]
    assert subs[0].end.total_seconds() == 4.2
    assert srt.compose(subs).strip() == to_srt(analysis).strip()


def test_csv_has_video_segments_and_scene_rows(analysis):
    rows = list(csv.DictReader(io.StringIO(to_csv(analysis))))
    assert rows[0] == {"level": "video", "scene": "", "label": "dog", "score": "0.95",
                       "start_s": "0.0", "end_s": "4.2"}
    assert {r["label"] for r in rows if r["level"] == "scene"} == {"dog", "kitchen"}


def test_write_outputs_writes_every_format(analysis, tmp_path):
    import numpy as np

    emb = (np.ones((3, 4), np.float32), np.array([0.0, 1.0, 2.0]), np.array([0, 25, 50]))
    paths = write_outputs(analysis, tmp_path / "out", "clip",
                          ("json", "vtt", "srt", "csv", "npy"), emb)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "clip.frames.npy", "clip.json", "clip.npy", "clip.scenes.srt", "clip.scenes.vtt",
        "clip.tags.csv"]
    assert np.load(paths["npy"]).shape == (3, 4)


def test_descriptions_track_and_transcripts(analysis, tmp_path):
    from vidclip.output import to_descriptions_vtt

    described = analysis.model_copy(update={"scenes": [
        s.model_copy(update={"description": f"Description of scene {s.index}."})
        for s in analysis.scenes]})
    path = tmp_path / "d.vtt"
    path.write_text(to_descriptions_vtt(described))
    cues = webvtt.read(str(path))
    assert [c.text for c in cues] == ["Description of scene 0.", "Description of scene 1."]
    assert "Kind: descriptions" in path.read_text()
    paths = write_outputs(described, tmp_path / "o", "clip", ("descriptions", "transcript", "html"))
    text = paths["transcript"].read_text()
    assert "[0:00 - 0:04] Description of scene 0." in text or "Description of scene 0." in text
    assert paths["html"].read_text().lstrip().lower().startswith("<!doctype html")


def test_caption_cues_follow_timed_text_rules(analysis, tmp_path):
    long = analysis.model_copy(update={"scenes": [
        analysis.scenes[0].model_copy(update={
            "caption": "The scene shows a dog running along a wide sandy beach under a clear "
                       "sky while waves roll in and gulls circle above the water line."}),
        *analysis.scenes[1:]]})
    path = tmp_path / "long.vtt"
    path.write_text(to_webvtt(long))
    cues = webvtt.read(str(path))
    assert seconds(cues[0].end) <= 4.2 + 1e-6  # the long caption stays inside its scene
    for c in cues:
        shown = html.unescape(c.text)  # the rules are about what a viewer reads
        lines = shown.splitlines()
        duration = seconds(c.end) - seconds(c.start)
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines)
        assert duration >= 1.0 - 1e-6
        assert len(shown.replace("\n", " ")) / duration <= 20.0 + 1e-6
    starts = [seconds(c.start) for c in cues]
    ends = [seconds(c.end) for c in cues]
    assert all(e <= s + 1e-6 for e, s in zip(ends, starts[1:]))


def test_markup_in_a_cue_is_shown_not_parsed(analysis, tmp_path):
    edited = analysis.model_copy(update={"scenes": [
        analysis.scenes[0].model_copy(update={"caption": "<b>Bold</b> & <script>x</script>"}),
        *analysis.scenes[1:]]})
    path = tmp_path / "markup.vtt"
    path.write_text(to_webvtt(edited))
    assert "<" not in path.read_text().split("\n\n", 1)[1]
    assert html.unescape(webvtt.read(str(path))[0].text.replace("\n", " ")) == (
        "<b>Bold</b> & <script>x</script>")
