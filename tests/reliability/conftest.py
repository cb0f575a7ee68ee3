"""The reliability suite: each test is a case from a hardening issue (kept here so it stays fixed).

The session fixtures (``sandbox``, ``core_v1``, ``kubectl``...) come from ``tests/conftest.py``.
"""
