"""Routers of the API, in documentation order."""

from app.api.routes import (
           audit,
           auth,
           bill,
           casework,
           health,
           households,
           ingest,
           plans,
           queue,
           reports,
           tasks,
)

ROUTERS = [auth.router, households.router, plans.router, queue.router, casework.router, tasks.router,
           reports.router, audit.router, ingest.router, bill.router, health.router]
