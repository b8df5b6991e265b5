"""Attempts: what a person did in a quiz — the frozen paper, saved answers, events, grading at submit/deadline.

Also owns per-person accommodations (extra time, exemption, voiding) and the quiz player's JSON API and page.
"""
