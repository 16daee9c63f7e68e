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
    kind: Literal["scene", "window", "speech", "text"] = Field(
        description="What was found: a whole scene or a window of a long scene (by the "
        "picture), a transcript segment (speech) or an on-screen text item (text).")
    found: Literal["visual", "speech", "text"] = Field(
        default="visual", description="What matched: the picture, what was said, or what "
        "was written on screen; start_s/end_s are that moment.")
    scene: int = Field(ge=0)
    start_s: float = Field(ge=0)
    end_s: float = Field(ge=0)
    score: float = Field(ge=0, le=1, description="Picture, text query: calibrated as a tag's "
                         "score (>= 0.5: more likely than not). Picture, image query: cosine "
                         "similarity. Words: the share of the query's words the text holds "
                         "(1: all of them, or the whole phrase).")
    tags: list[LabelScore] = Field(description="The scene's top tags.")
    flags: list[str] = Field(description="Moderation categories flagged in the scene.")
    job_tag: str | None = Field(default=None, description="The job's free-form tag.")
    snippet: str | None = Field(default=None, description="Words hits: the text around the "
                                "match, plain (show it as text, never as markup).")
    highlights: list[tuple[int, int]] = Field(
        default_factory=list, description="Words hits: [start, end) of each match in snippet.")
    fused: float | None = Field(default=None, description="Hybrid mode: the reciprocal rank "
                                "fusion score (k = 60) that ordered the hits.")
    found_by: list[Literal["visual", "speech", "text"]] = Field(
        default_factory=list, description="Hybrid mode: everything that found this scene.")
    links: HitLinks


class SearchResults(BaseModel):
    query: str | None = Field(description="The text asked, or None for an image.")
    mode: Literal["visual", "text", "hybrid"] = Field(
        default="hybrid", description="How the query was matched (an image: visual).")
    hits: list[SearchHit]
