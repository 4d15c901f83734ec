"""Tests of the source layer (statewright.source)."""
