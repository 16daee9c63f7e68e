"""Scene thumbnails: kept while decoding, one JPEG per scene, bounded in number."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from vidclip.decode.types import FrameBatch
from vidclip.pipeline import Pipeline
from vidclip.stream.thumbnails import ThumbnailKeeper


@pytest.fixture(scope="module")
def run(tiny_config, tiny_encoder, clips):
    config = tiny_config.with_overrides({"thumbnails": True})
    return Pipeline(config, encoder=tiny_encoder).run(clips.montage)


def _image(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    image.load()
    return image


def test_one_jpeg_per_scene_from_inside_the_scene(run):
    scenes = run.analysis.scenes
    assert run.thumbnails is not None and len(run.thumbnails.scenes) == len(scenes)
    kept = run.thumbnails.kept
    for scene, jpeg in zip(scenes, run.thumbnails.scenes):
        assert _image(jpeg).format == "JPEG"
        # the picture is one of the kept frames of this scene, or its middle frame read again
        matches = [t for t, j in zip(kept.times_s, kept.jpegs) if j == jpeg]
        assert not matches or scene.start_s <= matches[0] < scene.end_s


def test_every_scene_has_a_picture_even_one_between_two_samples(tiny_config, tiny_encoder, clips):
    # At 0.25 frames/s most scenes of the montage hold no sampled frame.
    config = tiny_config.with_overrides({"thumbnails": True, "sampling": {"fps": 0.25}})
    out = Pipeline(config, encoder=tiny_encoder).run(clips.montage)
    assert all(out.thumbnails.scenes) and len(out.thumbnails.scenes) == len(out.analysis.scenes)


def test_pictures_show_their_frames(run, clips):
    # The montage's shots are flat colours: a scene's thumbnail has its shot's mean colour.
    first = np.asarray(_image(run.thumbnails.scenes[0]).convert("RGB"), dtype=np.float64)
    second = np.asarray(_image(run.thumbnails.scenes[1]).convert("RGB"), dtype=np.float64)
    assert np.abs(first.mean(axis=(0, 1)) - second.mean(axis=(0, 1))).max() > 10


def test_off_by_default(pipeline, clips):
    assert pipeline.run(clips.counter).thumbnails is None


def test_keeper_is_bounded_by_time_not_by_sampling_rate():
    keeper = ThumbnailKeeper(every_s=0.5, side=32)
    times = np.arange(0, 10, 1 / 25)  # every frame of 10 s at 25 frames/s
    frames = np.zeros((len(times), 48, 64, 3), np.uint8)
    keeper.offer(FrameBatch(frames, times, np.arange(len(times))))
    kept = keeper.result()
    assert len(kept) == 20
    assert np.all(np.diff(kept.times_s) >= 0.5 - 1e-6)
    assert min(_image(kept.jpegs[0]).size) == 32
