"""Certificates: issued for passed tests, rendered to PDF (WeasyPrint, embedded CJK fonts) and cached on disk.

Owns the ``certificates`` table, the public verification page and API, revocation and the bulk render command.
"""
