"""Instructor side: collect submissions, review them, report, return feedback (floor 4)."""
