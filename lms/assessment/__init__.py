"""Assessment: monthly periods, per-person outcomes, the monthly close, the insert-only ledger, ranking,
yellow cards and rewards, quarterly consequences and the published notice (通报)."""
