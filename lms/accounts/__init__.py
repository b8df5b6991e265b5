"""People, roles, sign-in, API tokens and the roster import.

Also owns access control: role decorators and the scope helpers every supervisor query goes through.
"""
