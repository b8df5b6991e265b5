"""Each role's home page. Domains contribute panels to it through ``lms.home.panels``.

Owns nothing in the database.
"""
