"""Module-level compiled graph for langgraph.json (LangGraph Studio / server); code uses build_graph()."""

from agent.graph import build_graph

graph = build_graph()
