"""The organisation: the city, its counties/districts (县区) and their grids / township business departments.

Owns the unit tree that every scoped query filters by.
"""
