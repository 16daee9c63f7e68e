"""Typed counters of the streaming stage (what used to be a dict of numbers)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class DecodeStats:
    """Written by the decoder thread only; read once it is done or for progress."""

    frames: int = 0  # decoded, sampled or not
    seconds: float = 0.0  # spent inside the decoder (and the cut detector)


@dataclass
class EncodeStats:
    frames: int = 0  # embedded
    calls: int = 0  # encoder calls
    seconds: float = 0.0
