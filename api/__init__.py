"""The HTTP front end: FastAPI over the job store; sends Celery tasks by name.

Never imports torch, open_clip, decord or the pipeline (a test holds it to that).
"""
