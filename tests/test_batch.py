"""Coach batch review: agents, trends, failures, resume, kill safety, dashboard."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf
from click.testing import CliRunner

from tests import browser, synth
from tonecheck.batch import find_recordings, load_results
from tonecheck.cli import cli
from tonecheck.report.dashboard import agent_trends

SR = 16000
ROOT = Path(__file__).resolve().parents[1]
TIMES = ("2026-11-20_0900", "2026-11-20_1200", "2026-11-20_1600")
CALLS = {  # agent -> pitch excursion (semitones) per call, in time order
    "ana": (5.0, 5.0, 5.0),
    "ben": (5.0, 5.0, 5.0),
    "cara": (7.0, 3.0, 0.3),  # gets flatter through the day
}


def _write_call(path: Path, excursion_st: float, syllables_per_s: float = 4.0) -> None:
    y = synth.speechlike_phrases(sr=SR, duration_s=12.0, excursion_st=excursion_st, syllable_rate_per_s=syllables_per_s)
    sf.write(path, y, SR, subtype="PCM_16")


@pytest.fixture(scope="module")
def team(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("team")
    for agent, excursions in CALLS.items():
        (root / agent).mkdir()
        for when, exc in zip(TIMES, excursions):
            _write_call(root / agent / f"{when}.wav", exc, 6.5 if agent == "ben" else 4.0)
    good = root / "ana" / f"{TIMES[0]}.wav"
    (root / "ben" / "corrupt.wav").write_bytes(good.read_bytes()[:2000])  # header claims far more data
    (root / "ben" / "empty.wav").write_bytes(b"")
    (root / "ben" / "notes.mp3").write_text("call notes, not audio\n", "utf-8")
    (root / "ben" / "readme.txt").write_text("ignored: not an audio extension\n", "utf-8")
    return root


def _digest(folder: Path) -> dict:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def _batch(*args):
    return CliRunner().invoke(cli, ["batch", *map(str, args)])


@pytest.fixture(scope="module")
def first_run(team, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    before = _digest(team)
    result = _batch(team, "--out", out, "--jobs", "2", "--lang", "en")
    return team, out, result, before


def test_batch_writes_reports_csv_and_dashboard(first_run):
    team, out, result, before = first_run
    assert result.exit_code == 2, result.output
    rows = list(csv.DictReader((out / "summary.csv").open(encoding="utf-8-sig")))
    good = [r for r in rows if not r["error"]]
    bad = [r for r in rows if r["error"]]
    assert len(good) == 9 and len(bad) == 3
    assert {Path(r["file"]).name for r in bad} == {"corrupt.wav", "empty.wav", "notes.mp3"}
    assert all(r["agent"] == "ben" for r in bad)
    cara = sorted((r for r in good if r["agent"] == "cara"), key=lambda r: r["date"])
    assert [r["date"][11:16] for r in cara] == ["09:00", "12:00", "16:00"]
    assert float(cara[0]["intonation_level"]) > float(cara[-1]["intonation_level"])
    assert cara[-1]["intonation_verdict"] == "below"
    assert all(r["rate_verdict"] == "above" for r in good if r["agent"] == "ben")
    for r in good:
        assert (out / r["report"]).is_file()
        data = json.loads((out / r["report"]).with_suffix(".json").read_text("utf-8"))
        assert data["batch"]["agent"] == r["agent"] and "intonation" in data
    page = (out / "index.html").read_text("utf-8")
    assert page.count("<li>") == 3 and "corrupt.wav" in page
    assert _digest(team) == before  # recordings untouched


def test_only_the_flattening_agent_is_flagged(first_run):
    _, out, _, _ = first_run
    trends = {t.agent: t for t in agent_trends(load_results(out))}
    assert "intonation" in trends["cara"].fading
    assert trends["cara"].level_change < -2
    assert trends["ana"].fading == () and trends["ben"].fading == ()


def test_second_run_analyzes_nothing_and_a_changed_file_is_redone(first_run, tmp_path):
    team, out, _, _ = first_run
    again = _batch(team, "--out", out, "--jobs", "2")
    assert again.exit_code == 2
    assert "(0 processed now, 12 up to date)" in again.output
    changed = team / "ana" / f"{TIMES[1]}.wav"
    _write_call(changed, 2.0)
    third = _batch(team, "--out", out, "--jobs", "2")
    assert "(1 processed now, 11 up to date)" in third.output


def test_summary_only_rebuilds_from_json(first_run):
    _, out, _, _ = first_run
    (out / "summary.csv").unlink()
    (out / "index.html").unlink()
    result = _batch(out, "--out", out, "--summary-only")
    assert result.exit_code == 2
    assert (out / "index.html").is_file() and len((out / "summary.csv").read_text("utf-8-sig").splitlines()) == 13


def test_fail_fast_stops_at_the_first_bad_file(team, tmp_path):
    result = _batch(team / "ben", "--out", tmp_path, "--jobs", "1", "--fail-fast")
    assert result.exit_code == 2
    assert len(list((tmp_path / "calls").glob("*.error.json"))) == 1


def test_agent_pattern_and_manifest(tmp_path):
    folder = tmp_path / "flat"
    folder.mkdir()
    for name in ("zoe_call1.wav", "max_call2.wav"):
        (folder / name).write_bytes(b"")
    recs = find_recordings([folder], out_dir=tmp_path / "out", agent_pattern=r"^(?P<agent>[a-z]+)_")
    assert sorted(r.agent for r in recs) == ["max", "zoe"]
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,agent,date,role\nzoe_call1.wav,Zoë,2026-11-19T08:30:00,agent\n", "utf-8")
    recs = {r.path.name: r for r in find_recordings([folder], out_dir=tmp_path / "out", manifest=manifest)}
    assert recs["zoe_call1.wav"].agent == "Zoë" and recs["zoe_call1.wav"].recorded_at.hour == 8


def test_usage_errors_exit_1(tmp_path):
    assert _batch(tmp_path / "missing", "--out", tmp_path / "o").exit_code == 1
    (tmp_path / "empty").mkdir()
    result = _batch(tmp_path / "empty", "--out", tmp_path / "o")
    assert result.exit_code == 1 and "no recordings found" in result.output


def test_killed_batch_leaves_no_partial_output_and_resumes(team, tmp_path):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "tonecheck", "batch", str(team), "--out", str(out), "--jobs", "1"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while not ((out / "calls").is_dir() and any((out / "calls").glob("*.json"))) and time.time() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = list((out / "calls").glob("*.json"))
    assert 0 < len(done) < 12
    for path in done:
        json.loads(path.read_text("utf-8"))  # every visible JSON is complete
    for path in (out / "calls").glob("*.html"):
        assert path.read_text("utf-8").rstrip().endswith("</html>")
    rerun = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 2
    assert len(list((out / "calls").glob("*.json"))) == 12  # 9 results + 3 error records
    assert not list((out / "calls").glob(".*.part"))


@pytest.mark.skipif(browser.chromium() is None, reason="chromium not installed (apt-get install chromium)")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_dashboard_renders_in_headless_chromium(first_run, tmp_path, lang):
    _, out, _, _ = first_run
    result = _batch(out, "--out", out, "--summary-only", "--lang", lang)
    assert result.exit_code == 2
    loaded = browser.load(out / "index.html", tmp_path, height=1600)
    assert loaded.console == []
    assert loaded.dom.count('class="agent-trend') == 3
    assert not browser.is_blank(loaded.screenshot)
