"""Celery workers for the overnight batch: the app, its tasks, the claims that keep them idempotent, the fan-out."""
