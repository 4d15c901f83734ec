"""Semantic lint rules. Importing this package registers every rule (one module per area)."""
