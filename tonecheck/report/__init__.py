"""Renderers: each takes an :class:`~tonecheck.analysis.Analysis` (or a batch result).

text
    Terminal report.
json
    One JSON object per file.
"""
