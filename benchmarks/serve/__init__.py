"""``python -m benchmarks --serve``: StartExecution/s through a real ``statewright serve`` (see suite.py)."""
