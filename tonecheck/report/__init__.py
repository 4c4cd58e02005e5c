"""Renderers: each takes an :class:`~tonecheck.analysis.Analysis` or a batch result.

text
    Terminal report.
page
    Shared self-contained HTML skeleton, escaping, SVG gauges.
html
    The call report page (``render_report``).
plots
    The pitch/loudness/rate figure; the only matplotlib importer.
csv
    ``summary.csv`` of a batch.
dashboard
    The coach dashboard (``index.html``) of a batch.

JSON is written by :meth:`tonecheck.analysis.Analysis.to_dict` alone.
"""
