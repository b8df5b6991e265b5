"""Quizzes and question banks: quiz files and their immutable versions, banks, importers and question types.

Owns what a test *is*; the attempts domain owns what a person *did*.
"""
