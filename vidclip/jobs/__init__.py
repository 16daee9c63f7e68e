"""What the API and the workers share: settings, the job store, task names,
job options and media ingest.

Nothing here imports torch, open_clip, decord, FastAPI or Celery, so the slim
API image and the GPU worker image both install it.
"""

from vidclip.jobs.names import Queue, TaskName
from vidclip.jobs.settings import Settings, UnsafeSettingsError
from vidclip.jobs.status import FINAL_STATES, JobStatus

__all__ = ["Settings", "UnsafeSettingsError", "TaskName", "Queue", "JobStatus", "FINAL_STATES"]
