"""REST API (FastAPI): households, evidence, plans, queue, case work, reports, audit and the owner bill page."""
