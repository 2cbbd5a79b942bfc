"""Bulk load, a use case above the domains: see loader.py."""
