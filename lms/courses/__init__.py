"""Courseware: lessons from ``content/`` and from the browser, their revisions, study progress and training sessions.

Owns what a lesson *says* and who studied it; quizzes that test a lesson belong to ``lms.quizzes``.
"""
