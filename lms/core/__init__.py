"""Shared kernel: the clock, domain errors, column types, Markdown rendering and security headers.

Nothing here knows about a particular domain.
"""
