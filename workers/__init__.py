"""Celery workers: thin adapters from queued jobs to :class:`vidclip.pipeline.Pipeline`."""
