"""``flask demo``: a plausible organisation, its people and several months of history, loaded idempotently.

Owns no tables; it goes through the other domains' services.
"""
