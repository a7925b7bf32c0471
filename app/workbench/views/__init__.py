"""Workbench pages; each exposes render(runtime, caller) and calls the service layer only."""
