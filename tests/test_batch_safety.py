"""Batch hardening: distinct outputs, hostile paths, time limits, lock, CSV safety, summary-only."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import pytest
import soundfile as sf
from click.testing import CliRunner

from tests import synth
from tonecheck.batch import BatchRecord, BatchResult, FileFailure, find_recordings, load_results, output_lock
from tonecheck.cli import cli
from tonecheck.errors import TonecheckError
from tonecheck.report.csv import neutralize, render_csv

SR = 16000


def _wav(path: Path, excursion_st: float = 5.0, duration_s: float = 4.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    y = synth.speechlike_phrases(sr=SR, duration_s=duration_s, excursion_st=excursion_st)
    sf.write(path, y, SR, subtype="PCM_16")
    return path


def _batch(*args):
    return CliRunner().invoke(cli, ["batch", *map(str, args)])


def _rows(out: Path) -> list:
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _results(out: Path) -> list:
    return [p for p in (out / "calls").glob("*.json") if not p.name.endswith(".error.json")]


def test_same_relative_name_in_two_roots_gives_two_outputs_and_reruns_settle(tmp_path):
    _wav(tmp_path / "r1" / "ana" / "call.wav", 3.0)
    _wav(tmp_path / "r2" / "ana" / "call.wav", 7.0)
    out = tmp_path / "out"
    first = _batch(tmp_path / "r1", tmp_path / "r2", "--out", out, "--jobs", "2")
    assert first.exit_code == 0, first.output
    assert len(_results(out)) == 2 and len(_rows(out)) == 2
    sources = {json.loads(p.read_text("utf-8"))["batch"]["source"] for p in _results(out)}
    assert sources == {str(tmp_path / r / "ana" / "call.wav") for r in ("r1", "r2")}
    again = _batch(tmp_path / "r1", tmp_path / "r2", "--out", out, "--jobs", "2")
    assert "(0 processed now, 2 up to date)" in again.output


def test_overlapping_paths_and_links_count_each_file_once(tmp_path):
    base = tmp_path / "base"
    call = _wav(base / "ana" / "call.wav")
    os.link(call, base / "ana" / "hardlink.wav")
    os.symlink(call, base / "ana" / "symlink.wav")
    recs = find_recordings([base, base / "ana", call], out_dir=tmp_path / "out")
    assert len(recs) == 1 and recs[0].agent == "ana"


def test_distinct_files_never_share_an_output_name(tmp_path):
    a = _wav(tmp_path / "x" / "a b.wav")
    b = tmp_path / "x" / "a_b.wav"  # slugs to the same text
    b.write_bytes(a.read_bytes())
    names = {r.name for r in find_recordings([tmp_path / "x"], out_dir=tmp_path / "out")}
    assert len(names) == 2


@pytest.fixture
def hostile_team(tmp_path):
    team = tmp_path / "team"
    good = _wav(team / "ana" / "good.wav")
    os.mkfifo(team / "ana" / "pipe.wav")
    try:
        os.mknod(team / "zero", 0o666 | stat.S_IFCHR, os.makedev(1, 5))  # a copy of /dev/zero, inside tmp_path
        os.symlink(team / "zero", team / "ana" / "zero.wav")
    except PermissionError:
        pass  # not root: the FIFO and links still cover the class
    os.symlink(team / "ana" / "missing.wav", team / "ana" / "dangling.wav")
    os.symlink("loop.wav", team / "ana" / "loop.wav")
    weird = os.fsdecode(b"caf\xe9-latin1.wav")  # not valid UTF-8
    (team / "ana" / weird).write_bytes(good.read_bytes())
    return team


def test_non_regular_files_are_reported_never_opened_and_the_run_goes_on(hostile_team, tmp_path):
    out = tmp_path / "out"
    result = _batch(hostile_team, "--out", out, "--jobs", "1")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    messages = {Path(r["file"]).name: r["error"] for r in _rows(out)}
    assert "is a FIFO, not a recording" in messages["pipe.wav"]
    assert "broken symbolic link" in messages["dangling.wav"]
    assert "symbolic link loop" in messages["loop.wav"]
    if "zero.wav" in messages:
        assert "is a character device, not a recording" in messages["zero.wav"]
    assert messages["good.wav"] == "" and messages[r"caf\xe9-latin1.wav"] == ""
    assert "is a FIFO, not a recording" in result.output
    again = _batch(hostile_team, "--out", out, "--jobs", "1")
    assert "(0 processed now," in again.output


def test_a_file_over_its_time_limit_is_stopped_and_retried_with_a_longer_limit(tmp_path):
    team = tmp_path / "team"
    for i in range(2):
        _wav(team / "ana" / f"call{i}.wav")
    out = tmp_path / "out"
    slow = _batch(team, "--out", out, "--jobs", "2", "--timeout", "0.05")
    assert slow.exit_code == 2, slow.output
    rows = _rows(out)
    assert len(rows) == 2 and all("took longer than 0.05 s" in r["error"] for r in rows)
    same = _batch(team, "--out", out, "--jobs", "2", "--timeout", "0.05")
    assert "(0 processed now, 2 up to date)" in same.output
    retried = _batch(team, "--out", out, "--jobs", "2")
    assert retried.exit_code == 0, retried.output
    assert "(2 processed now, 0 up to date)" in retried.output


def test_agent_pattern_group_that_did_not_match_gives_unknown(tmp_path):
    folder = tmp_path / "flat"
    folder.mkdir()
    for name in ("zoe_call.wav", "call.wav"):
        (folder / name).write_bytes(b"")
    recs = find_recordings([folder], out_dir=tmp_path / "out", agent_pattern=r"^(?:(?P<agent>[a-z]+)_)?call")
    assert sorted(r.agent for r in recs) == ["unknown", "zoe"]


@pytest.mark.parametrize("row", ["call.wav", "call.wav,ana,2026-11-19,agent,extra"])
def test_manifest_row_of_the_wrong_length_names_its_line(tmp_path, row):
    (tmp_path / "call.wav").write_bytes(b"")
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"file,agent,date,role\nother.wav,bo,,\n{row}\n", "utf-8")
    with pytest.raises(TonecheckError, match=r"m\.csv: line 3 has \d fields but the header has 4"):
        find_recordings([tmp_path], out_dir=tmp_path / "out", manifest=manifest)
    result = _batch(tmp_path, "--out", tmp_path / "out", "--manifest", manifest)
    assert result.exit_code == 1 and "line 3" in result.output and "Traceback" not in result.output


def test_summary_only_reads_path_skips_foreign_json_and_writes_to_path_by_default(tmp_path):
    team, out = tmp_path / "team", tmp_path / "out"
    _wav(team / "ana" / "call.wav")
    assert _batch(team, "--out", out, "--jobs", "1").exit_code == 0
    (out / "calls" / "package.json").write_text('{"name": "not ours"}', "utf-8")
    (out / "calls" / "list.json").write_text("[1, 2]", "utf-8")
    (out / "calls" / "broken.json").write_text("{", "utf-8")
    os.mkfifo(out / "calls" / "fifo.json")
    (out / "summary.csv").unlink()
    result = _batch(out, "--summary-only")
    assert result.exit_code == 0, result.output
    assert len(_rows(out)) == 1
    for name in ("package.json", "list.json", "broken.json", "fifo.json"):
        assert f"{name}: " in result.output and "skipped" in result.output
    assert {Path(i.path).name for i in load_results(out).ignored} == {
        "package.json",
        "list.json",
        "broken.json",
        "fifo.json",
    }
    elsewhere = tmp_path / "elsewhere"
    moved = _batch(out, "--summary-only", "--out", elsewhere)
    assert moved.exit_code == 0 and len(_rows(elsewhere)) == 1 and not (elsewhere / "calls").exists()


def test_out_must_be_given_and_not_empty(tmp_path):
    _wav(tmp_path / "team" / "call.wav")
    missing = _batch(tmp_path / "team")
    assert missing.exit_code == 1 and "--out" in missing.output
    empty = _batch(tmp_path / "team", "--out", "")
    assert empty.exit_code == 1 and "--out is empty" in empty.output
    two = _batch(tmp_path / "team", tmp_path, "--summary-only")
    assert two.exit_code == 1 and "exactly one PATH" in two.output


def test_a_second_run_on_the_same_output_folder_is_refused(tmp_path):
    team, out = tmp_path / "team", tmp_path / "out"
    _wav(team / "call.wav")
    with output_lock(out):
        (out / "calls").mkdir()
        (out / "calls" / ".call.json.abc.part").write_text("in flight")
        result = _batch(team, "--out", out)
        assert result.exit_code == 1
        assert "another tonecheck batch is writing to this folder" in result.output
        assert (out / "calls" / ".call.json.abc.part").exists()  # the first run's files are left alone
        assert _batch(out, "--summary-only").exit_code == 1
    assert _batch(team, "--out", out, "--jobs", "1").exit_code == 0


def test_outputs_never_replace_a_recording_or_a_device_in_the_output_folder(tmp_path):
    team = tmp_path / "team"
    call = _wav(team / "call.wav")
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(call, out / "summary.csv")
    result = _batch(team, "--out", out, "--jobs", "1")
    assert result.exit_code == 1 and "is an input recording" in result.output
    assert (out / "summary.csv").is_symlink() and sf.info(call).frames > 0


def _record(agent: str, name: str, **figures) -> BatchRecord:
    data = {
        "file": name,
        "duration_s": 12.5,
        "warnings": ["=1+2 sounds clipped", "only 3.4 s of speech"],
        "intonation": {"level": 5.5, "verdict": "within"},
        "rate": {"wpm": 120.0, "verdict": "within"},
        "loudness": {"speech_level_dbfs": -24.5, "verdict": "within"},
        "energy": {"level": "medium", "index": -0.5, "verdict": "within"},
        "intensity": {"index": -0.5, "band": "calm", "verdict": "within"},
        "pitch": {"median_hz": 180.0},
        "speech": {"pause_count": 3},
        "batch": {"agent": agent},
    }
    data.update(figures)
    return BatchRecord(agent, "2026-11-20T09:00:00", "n", data)


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_start_a_formula_are_neutralized_numbers_stay(evil):
    result = BatchResult((_record(evil, evil + ".wav"),), (FileFailure(evil, evil + ": bad", evil),))
    rows = list(csv.DictReader(io.StringIO(render_csv(result), newline="")))
    for row in rows:
        assert row["agent"] == "'" + evil and row["file"].startswith("'")
    assert rows[1]["error"] == "'" + evil + ": bad"
    assert rows[0]["speech_level_dbfs"] == "-24.5" and rows[0]["intensity_index"] == "-0.5"
    assert rows[0]["warnings"] == "'=1+2 sounds clipped | only 3.4 s of speech"
    assert rows[0]["warning_count"] == "2"
    assert neutralize(-3) == -3 and neutralize(None) == "" and neutralize("a=b") == "a=b"


def test_csv_from_a_real_batch_keeps_agent_names_inert(tmp_path):
    team = tmp_path / "team"
    _wav(team / "=HYPERLINK(1)" / "call.wav")
    out = tmp_path / "out"
    assert _batch(team, "--out", out, "--jobs", "1").exit_code == 0
    row = _rows(out)[0]
    assert row["agent"] == "'=HYPERLINK(1)"
    assert float(row["speech_level_dbfs"]) < 0  # a negative number, not text
    assert row["warnings"] and int(row["warning_count"]) == len(row["warnings"].split(" | "))


def test_default_time_limit_scales_with_duration_or_size(tmp_path):
    from tonecheck.batch import time_limit_s

    _wav(tmp_path / "team" / "call.wav", duration_s=4.0)
    (tmp_path / "team" / "call.m4a").write_bytes(b"\0" * 10_000)
    recs = {r.path.suffix: r for r in find_recordings([tmp_path / "team"], out_dir=tmp_path / "out")}
    assert time_limit_s(recs[".wav"]) == pytest.approx(64.0)
    assert time_limit_s(recs[".m4a"]) == pytest.approx(70.0)
    assert time_limit_s(recs[".wav"], 5.0) == 5.0


def test_a_memory_error_in_a_worker_is_one_line_not_a_crash(tmp_path):
    from tonecheck.batch.run import _failure_message

    rec = find_recordings([_wav(tmp_path / "call.wav")], out_dir=tmp_path / "out")[0]
    assert "not enough memory" in _failure_message(rec, "error", "MemoryError: cannot allocate 16.5 GiB")
    assert "(signal SIGKILL)" in _failure_message(rec, "died", "signal SIGKILL")


def test_summary_only_of_a_folder_without_results_creates_nothing(tmp_path):
    result = _batch(tmp_path / "typo", "--summary-only")
    assert result.exit_code == 1 and "no calls/ folder with results" in result.output
    assert not (tmp_path / "typo").exists()
