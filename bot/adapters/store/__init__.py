"""Persistence behind one contract."""
