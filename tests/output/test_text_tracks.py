import csv
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
        "clip.frames.npy", "clip.json", "clip.npy", "clip.srt", "clip.tags.csv", "clip.vtt"]
    assert np.load(paths["npy"]).shape == (3, 4)
