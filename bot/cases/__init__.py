"""Cases: taxonomy (definitions), reports, triage, case codes, places and statistics.

Pure domain logic: no database and no network. See docs/cases.md.
"""
