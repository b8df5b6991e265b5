"""The ``flask sync`` command that loads trainers' files; the sources live in their own domains."""
