"""Celery configuration as a plain dict, so the API's sending-only app and the
workers' app are configured from the same settings without this package
importing Celery."""

from __future__ import annotations

from vidclip.jobs.names import TASK_QUEUES

WORKER_PUBLISH_RETRY = {"max_retries": 60, "interval_start": 0.5, "interval_step": 0.5,
                        "interval_max": 2.0}
API_PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0.0, "interval_step": 0.2,
                     "interval_max": 0.5}


def celery_config(settings) -> dict:
    return {
        "broker_url": settings.broker_url,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {
            # Redis emulates acks: a task its worker never acknowledged (the
            # machine died) goes back to the queue after visibility_timeout.
            "visibility_timeout": settings.visibility_timeout_s,
            "unacked_restore_interval": settings.unacked_restore_interval_s,
            # Scan on every restore tick (kombu's default scans every 10th).
            "unacked_restore_throttle": 1,
            # The sweep holds a lock in Redis for milliseconds; a worker killed
            # while holding it leaves it held until it expires (kombu's default
            # is 300 s), and no task is restored meanwhile. Expire it after a
            # few sweeps' time instead.
            "unacked_mutex_expire": max(5, 3 * settings.unacked_restore_interval_s),
        },
        # The job store is the record; Celery results would be a second one.
        "task_ignore_result": True,
        "result_backend": None,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_routes": {name.value: {"queue": settings.queue_name(queue.value)}
                        for name, queue in TASK_QUEUES.items()},
        "task_default_queue": settings.queue_name("analyze"),
        # Acknowledge after the work, re-queue when the worker process dies.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        # With late acks a lost broker connection must stop running tasks, or
        # they would run again elsewhere while still running here.
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        # Sending a task from a worker (a chain's caption step, a retry, a webhook)
        # waits out a broker restart, about two minutes, instead of giving up after
        # half a second: a job whose analysis is stored but whose caption task was
        # never sent would stay running for ever. The API sends with its own short
        # policy (API_PUBLISH_RETRY): a client is told 503 at once.
        "task_publish_retry_policy": WORKER_PUBLISH_RETRY,
        "task_soft_time_limit": settings.task_soft_time_limit_s,
        "task_time_limit": settings.task_time_limit_s,
        "worker_hijack_root_logger": False,
        "worker_send_task_events": False,
    }
