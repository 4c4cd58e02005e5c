"""tonecheck.targets: the manual's targets and --targets overrides."""

import json
import os

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


@pytest.mark.parametrize(
    "content, match",
    [
        ('{"rate_wpm": {"low": NaN}}', "NaN"),
        ('{"rate_wpm": {"high": Infinity}}', "Infinity"),
        ('{"rate_wpm": {"low": 1e400}}', "non-finite"),
        ('{"rate_wpm": {"low": ' + "9" * 400 + "}}", "too large"),
        ("[" * 3000 + "]" * 3000, "nested too deeply"),
        ('{"rate_wpm": {"low": false}}', "non-numeric"),
        ('{"rate_wpm": {"low": "100"}}', "non-numeric"),
        ('{"rate_wpm": {"low": null}}', "non-numeric"),
    ],
)
def test_hostile_numbers_and_nesting_are_refused(tmp_path, content, match):
    p = tmp_path / "t.json"
    p.write_text(content)
    with pytest.raises(TonecheckError, match=match):
        load_targets(p)


def test_open_bands_are_allowed(tmp_path):
    p = tmp_path / "t.json"
    p.write_text('{"rate_wpm": {}, "long_pause_s": {"high": 10}}')
    t = load_targets(p)
    assert t.rate_wpm == Band() and t.rate_wpm.verdict(400.0) == "within"
    assert t.long_pause_s == Band(high=10.0)


def test_huge_targets_file_is_refused_without_reading_it_all(tmp_path):
    p = tmp_path / "t.json"
    p.write_text('{"rate_wpm": {"low": 1}}' + " " * 200_000)
    with pytest.raises(TonecheckError, match="larger than"):
        load_targets(p)


def test_targets_that_are_not_regular_files_do_not_hang(tmp_path):
    fifo = tmp_path / "t.json"
    os.mkfifo(fifo)
    with pytest.raises(TonecheckError, match="not a regular file"):
        load_targets(fifo)
    with pytest.raises(TonecheckError, match="not a regular file"):
        load_targets(tmp_path)


def test_targets_errors_carry_a_catalog_message(tmp_path):
    from tonecheck.messages import render

    p = tmp_path / "t.json"
    p.write_text('{"rate_wpm": {"low": NaN}}')
    with pytest.raises(TonecheckError) as info:
        load_targets(p)
    assert info.value.message.key == "error.targets_invalid"
    assert render(info.value.message, "zh").startswith(f"{p}：目标文件无效")
    with pytest.raises(TonecheckError) as info:
        load_targets(tmp_path / "missing.json")
    assert info.value.message.key == "error.targets_unreadable"
