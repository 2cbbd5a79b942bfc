"""Use cases that span domains: see services.py."""
