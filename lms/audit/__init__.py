"""The audit trail: an insert-only record of administrative acts (who, when, from where, what changed).

Services that perform such an act call ``lms.audit.services.record`` before their own commit, so the act and its
record are written together or not at all.
"""
