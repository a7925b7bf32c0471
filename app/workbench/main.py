"""Streamlit entry point: `streamlit run app/workbench/main.py`."""

from app.workbench.shell import main

main()
