"""Routers of the API, in documentation order."""

from app.api.routes import (
    audit,
    auth,
    bill,
    cases,
    casework,
    health,
    households,
    ingest,
    payments,
    plans,
    queue,
    reports,
    settings,
    tasks,
)

ROUTERS = [
    auth.router,
    households.router,
    plans.router,
    queue.router,
    casework.router,
    cases.router,
    tasks.router,
    reports.router,
    settings.router,
    audit.router,
    ingest.router,
    bill.router,
    payments.router,
    health.router,
]
