"""Decode and sample video frames (decord first, PyAV where decord can't)."""
