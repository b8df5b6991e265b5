"""The JSON API at /api/v1: authentication (session or bearer token), errors as JSON, the OpenAPI document.

Domains add their routes in their own ``api.py`` on the shared blueprint.
"""
