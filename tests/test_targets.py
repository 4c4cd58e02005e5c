"""tonecheck.targets: the manual's targets and --targets overrides."""

import json

import pytest

from tonecheck.errors import TonecheckError
from tonecheck.targets import Band, default_targets, load_targets


def test_defaults_are_the_manuals():
    t = default_targets()
    assert (t.intonation_level.low, t.intonation_level.high) == (4.5, 6.5)
    assert (t.rate_wpm.low, t.rate_wpm.high) == (100.0, 150.0)


@pytest.mark.parametrize(
    "value, verdict", [(99.9, "below"), (100, "within"), (150, "within"), (151, "above"), (float("nan"), "unknown")]
)
def test_band_verdicts(value, verdict):
    assert Band(100, 150).verdict(value) == verdict


def test_override_merges_and_versions(tmp_path):
    p = tmp_path / "mine.json"
    p.write_text(json.dumps({"rate_wpm": {"low": 120, "high": 160}}))
    t = load_targets(p)
    assert (t.rate_wpm.low, t.rate_wpm.high) == (120, 160)
    assert t.intonation_level == default_targets().intonation_level
    assert t.version.endswith("+mine.json")


@pytest.mark.parametrize(
    "content, match",
    [
        ("{not json", "not valid JSON"),
        ('{"rate": {"low": 1}}', "unknown target"),
        ('{"rate_wpm": {"low": 200, "high": 100}}', "swap"),
        ('{"rate_wpm": {"low": "fast"}}', "non-numeric"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_bad_targets_file(tmp_path, content, match):
    p = tmp_path / "t.json"
    p.write_text(content)
    with pytest.raises(TonecheckError, match=match):
        load_targets(p)


def test_missing_targets_file(tmp_path):
    with pytest.raises(TonecheckError, match="cannot read"):
        load_targets(tmp_path / "nope.json")
