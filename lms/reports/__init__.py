"""Reports: the supervisor's risk board, period pages, a person's page, trainer item analysis, regrading after a key
correction and point-to-point training suggestions. Read-only queries over the other domains' tables."""
