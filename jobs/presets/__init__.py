"""Presets: a user's named job parameters, to start new jobs from (API and pages)."""
