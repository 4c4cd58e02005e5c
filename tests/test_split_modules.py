"""The split modules: every name the old module had is still importable from it, and is the same object.

tonecheck.ladder, tonecheck.pitch and tonecheck.report.plots were each cut in
two or three along a seam (ladder_repetitions; pitch_candidates, pitch_path;
figure_style, figure_files); callers keep importing from the old place.
"""

from __future__ import annotations

import importlib

import pytest

MOVED = [
    (
        "tonecheck.ladder",
        "tonecheck.ladder_repetitions",
        "Repetition break_threshold_s segment_repetitions rate_repetitions "
        "GAP_RATIO MAX_INNER_PAUSE_S FRAGMENT_SHARE LONG_FACTOR DEFAULT_WINDOW_S MIN_RUNGS",
    ),
    (
        "tonecheck.pitch",
        "tonecheck.pitch_candidates",
        "WORK_SR PERIODS_PER_WINDOW N_CANDIDATES MIN_CANDIDATE_STRENGTH FFT_BATCH",
    ),
    ("tonecheck.pitch", "tonecheck.pitch_path", "OCTAVE_JUMP_COST VOICED_UNVOICED_COST MAX_RUN_FRAMES"),
    (
        "tonecheck.report.plots",
        "tonecheck.report.figure_files",
        "FORMATS TimeAxis figure_bytes figure_format figure_png save_figure save_png time_axis_px",
    ),
    (
        "tonecheck.report.plots",
        "tonecheck.report.figure_style",
        "CJK_FONTS DPI TITLE_CHARS cjk_font _clock _legend_above _short_name _spans",
    ),
]


@pytest.mark.parametrize(("old", "new", "names"), MOVED, ids=[new for _, new, _ in MOVED])
def test_moved_names_are_reexported_unchanged(old, new, names):
    old_module, new_module = importlib.import_module(old), importlib.import_module(new)
    for name in names.split():
        assert getattr(old_module, name) is getattr(new_module, name), f"{old}.{name}"


@pytest.mark.parametrize("module", ["tonecheck.ladder", "tonecheck.pitch", "tonecheck.report.plots"])
def test_public_api_is_importable_from_the_old_module(module):
    mod = importlib.import_module(module)
    missing = [name for name in mod.__all__ if not hasattr(mod, name)]
    assert not missing
