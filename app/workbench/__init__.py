"""Streamlit workbench (Chinese UI): queue, household, one-click plan, dashboards, compliance review."""
