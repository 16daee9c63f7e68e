import pytest

from vidclip.schema import (
    Captions, LabelScore, Moderation, ModelInfo, SamplingInfo, Scene, Segment, Tag, Timings,
    VideoAnalysis, VideoInfo,
)


@pytest.fixture
def analysis() -> VideoAnalysis:
    scenes = [
        Scene(index=0, start_s=0.0, end_s=4.2, start_frame=0, end_frame=105, transition="start",
              tags=[LabelScore(label="dog", score=0.91)],
              caption="The scene shows a dog running along a wide sandy beach under a clear sky."),
        Scene(index=1, start_s=4.2, end_s=9.0, start_frame=105, end_frame=225,
              tags=[LabelScore(label="kitchen", score=0.7)],
              caption="The scene appears to show a kitchen --> with text."),
        Scene(index=2, start_s=9.0, end_s=9.0, start_frame=225, end_frame=225, caption=None),
    ]
    return VideoAnalysis(
        vidclip_version="0",
        video=VideoInfo(source="x.mp4", duration_s=9.0, fps=25, width=320, height=180,
                        frame_count=225, codec="h264", decoder="decord"),
        model=ModelInfo(name="tiny-test", embedding_dim=64, device="cpu", kind="custom"),
        sampling=SamplingInfo(strategy="fps", fps=1.0, frames=9),
        scenes=scenes,
        tags=[Tag(label="dog", score=0.91, segments=[Segment(start_s=0.0, end_s=4.2, score=0.95)])],
        moderation=Moderation(flagged=False),
        captions=Captions(summary="A 0:09 video.", backend="template"),
        timings=Timings(),
    )
