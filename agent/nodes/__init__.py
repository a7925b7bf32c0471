"""Graph nodes: each a thin caller of tools, domain logic and the model."""
