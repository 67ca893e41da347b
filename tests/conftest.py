"""Fixtures every test directory may use."""

pytest_plugins = ("tests.postgres_server",)
