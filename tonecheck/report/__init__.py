"""Renderers: each takes an :class:`~tonecheck.analysis.Analysis` or a batch result.

text
    Terminal report.
page
    Shared self-contained HTML skeleton, escaping, SVG gauges.
html
    The call report page (``render_report``).
plots
    The one-voice figure (pitch, intensity, loudness, rate).
call_plots
    The two-party figure.
figure_style, figure_files
    The look both figures share; figure bytes and files (PNG/SVG/PDF) and the
    time axis in the PNG. These four are the only matplotlib importers.
csv
    ``summary.csv`` of a batch.
dashboard
    The coach dashboard (``index.html``) of a batch.

JSON is written by :meth:`tonecheck.analysis.Analysis.to_dict` alone.
"""
