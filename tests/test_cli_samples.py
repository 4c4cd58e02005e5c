"""samples/README.md states what ``tonecheck analyze`` measures on each bundled sample (issue 8, item 16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tonecheck.cli import cli

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
TOLERANCE_WPM = 3.0


def readme_rows() -> dict:
    lines = [ln for ln in (SAMPLES / "README.md").read_text("utf-8").splitlines() if ln.startswith("| ")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[1:]:
        cells = dict(zip(header, (c.strip() for c in line.strip("|").split("|"))))
        rows[cells["file"].strip("`")] = cells
    return rows


@pytest.mark.parametrize("name", sorted(readme_rows()))
def test_readme_figures_are_what_tonecheck_measures(name):
    row = readme_rows()[name]
    language = "zh" if row["voice"].startswith("cmn") else "en"
    result = CliRunner().invoke(cli, ["analyze", "--json", "--language", language, str(SAMPLES / name)])
    assert result.exit_code == 0, result.output
    rate = json.loads(result.stdout)["rate"]
    # one syllable nucleus more or less moves a 15 s sample by about 2.5 wpm; beyond that,
    # re-run samples/make_samples.py so the README states what tonecheck measures
    assert abs(rate["wpm"] - float(row["tonecheck wpm"])) <= TOLERANCE_WPM
    if language == "zh":
        assert abs(rate["chars_per_min"] - float(row["tonecheck chars/min"])) <= 2 * TOLERANCE_WPM


def test_mandarin_sample_is_measured_at_its_intended_syllable_rate():
    row = readme_rows()["greeting_zh.wav"]
    intended, measured = float(row["chars/min"]), float(row["tonecheck chars/min"])
    assert abs(measured / intended - 1) < 0.05, (intended, measured)
