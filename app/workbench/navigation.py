"""Page switching shared by the shell and the pages (pages never import the shell)."""

from __future__ import annotations

import streamlit as st

PAGES_KEY = "_pages"
"""Session key of the navigation's page objects by page name (set by the shell)."""


def go(name: str) -> None:
    """Switch to a page by name when navigation is active (otherwise stay: single-page runs)."""
    pages = st.session_state.get(PAGES_KEY) or {}
    if name in pages:
        st.switch_page(pages[name])
