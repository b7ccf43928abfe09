"""Helpers the tests share (imported as `lib.NAME`; pyproject puts tests/ on the path). Fixtures
live in the conftest.py files; what is here is plain code: no test module imports another."""
