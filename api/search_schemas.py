"""The response of ``/v1/search``: moments with time ranges, scores, tags and links."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from vidclip.schema import LabelScore


class HitLinks(BaseModel):
    job: str = Field(description="The job the moment belongs to.")
    result: str = Field(description="Its whole result JSON.")
    thumbnail: str = Field(description="A JPEG of the moment's scene.")
    scene_thumbnail: str = Field(description="The same picture (the review app's name for it).")
    page: str = Field(description="The review app's page of the video, at the moment.")


class SearchHit(BaseModel):
    job_id: str
    source: str = Field(description="The video's name as submitted.")
    kind: Literal["scene", "window"] = Field(
        description="A whole scene, or a window of a long scene.")
    scene: int = Field(ge=0)
    start_s: float = Field(ge=0)
    end_s: float = Field(ge=0)
    score: float = Field(ge=0, le=1, description="Text: calibrated as a tag's score (>= 0.5: "
                         "more likely than not). Image: cosine similarity.")
    tags: list[LabelScore] = Field(description="The scene's top tags.")
    flags: list[str] = Field(description="Moderation categories flagged in the scene.")
    job_tag: str | None = Field(default=None, description="The job's free-form tag.")
    links: HitLinks


class SearchResults(BaseModel):
    query: str | None = Field(description="The text asked, or None for an image.")
    hits: list[SearchHit]
