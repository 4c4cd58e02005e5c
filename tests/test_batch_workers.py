"""Batch workers: time limits, crashes, Ctrl-C, and a quiet stderr."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests import synth
from tonecheck.analysis import Settings
from tonecheck.batch import analyze_one, find_recordings
from tonecheck.batch.pool import Task, WorkerPool

ROOT = Path(__file__).resolve().parents[1]
SR = 16000


def nap(seconds: float) -> float:
    """Pool task: sleep, then answer."""
    time.sleep(seconds)
    return seconds


def crash(_: float) -> None:
    """Pool task: the worker dies as if killed by the kernel."""
    os.kill(os.getpid(), signal.SIGKILL)


def fail(_: float) -> None:
    """Pool task: a bug."""
    raise MemoryError("cannot allocate 16.5 GiB")


def _run_pool(spec: str, tasks, jobs: int = 2) -> dict:
    outcomes = {}
    with WorkerPool(spec, jobs=jobs) as pool:
        pool.run(tasks, lambda task, outcome: outcomes.__setitem__(task.key, outcome))
    return outcomes


def test_an_overrunning_task_is_killed_and_the_others_finish():
    tasks = [Task("slow", (600.0,), 1.0), Task("a", (0.0,), 60.0), Task("b", (0.0,), 60.0), Task("c", (0.0,), 60.0)]
    outcomes = _run_pool("tests.test_batch_workers:nap", tasks)
    assert outcomes["slow"].status == "timeout" and outcomes["slow"].detail == "1"
    assert [outcomes[k].status for k in "abc"] == ["ok"] * 3


def test_a_dying_worker_is_replaced_and_errors_are_reported():
    outcomes = _run_pool("tests.test_batch_workers:crash", [Task(i, (0.0,), 60.0) for i in range(3)], jobs=1)
    assert [o.status for o in outcomes.values()] == ["died"] * 3
    assert "SIGKILL" in outcomes[0].detail
    outcomes = _run_pool("tests.test_batch_workers:fail", [Task("x", (0.0,), 60.0)], jobs=1)
    assert outcomes["x"].status == "error" and "MemoryError" in outcomes["x"].detail


def test_worker_warnings_become_notes_and_never_reach_stderr(tmp_path, monkeypatch, capfd):
    call = tmp_path / "team" / "call.wav"
    call.parent.mkdir()
    sf.write(call, synth.speechlike_phrases(sr=SR, duration_s=4.0, excursion_st=5.0), SR, subtype="PCM_16")
    import tonecheck.analysis as analysis

    real = analysis.analyze_file

    def noisy(path, **kwargs):
        np.log(np.zeros(3))  # numpy RuntimeWarning: divide by zero
        np.nanmean(np.full(3, np.nan))  # RuntimeWarning: mean of empty slice
        warnings.warn("Glyph 33521 missing from font(s) DejaVu Sans.", UserWarning, stacklevel=1)
        return real(path, **kwargs)

    monkeypatch.setattr(analysis, "analyze_file", noisy)
    (tmp_path / "calls").mkdir()
    rec = find_recordings([tmp_path / "team"], out_dir=tmp_path)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        assert analyze_one(rec, tmp_path / "calls", Settings(), None, "en")["ok"]
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""
    data = json.loads((tmp_path / "calls" / f"{rec.name}.json").read_text("utf-8"))
    assert "UserWarning: Glyph 33521 missing from font(s) DejaVu Sans." in data["warnings"]
    assert not any("RuntimeWarning" in w for w in data["warnings"])


def _team(root: Path, count: int) -> Path:
    y = synth.speechlike_phrases(sr=SR, duration_s=4.0, excursion_st=5.0)
    for i in range(count):
        folder = root / f"agent{i % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        sf.write(folder / f"2026-11-20_{9 + i // 60:02d}{i % 60:02d}.wav", y * (0.5 + 0.01 * i), SR, subtype="PCM_16")
    return root


def _start(team: Path, out: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "tonecheck", "batch", str(team), "--out", str(out), "--jobs", "2", "--lang", "en"]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, limit_s: float = 120.0) -> None:
    deadline = time.monotonic() + limit_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


def _done(out: Path) -> int:
    calls = out / "calls"
    return len([p for p in calls.glob("*.json") if not p.name.endswith(".error.json")]) if calls.is_dir() else 0


@pytest.fixture(scope="module")
def thirty(tmp_path_factory) -> Path:
    return _team(tmp_path_factory.mktemp("thirty"), 30)


def test_ctrl_c_stops_a_parallel_batch_writes_the_summary_and_a_rerun_completes(thirty, tmp_path):
    out = tmp_path / "out"
    proc = _start(thirty, out)
    _wait_for(lambda: _done(out) >= 2)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("batch did not stop after Ctrl-C")
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted; finished calls are saved" in err
    finished = _done(out)
    assert 2 <= finished < 30
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == finished
    assert (out / "index.html").is_file()
    assert not list(out.rglob(".*.part"))
    rerun = subprocess.run(
        [sys.executable, "-m", "tonecheck", "batch", str(thirty), "--out", str(out), "--jobs", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"({30 - finished} processed now, {finished} up to date)" in rerun.stderr
    assert _done(out) == 30


def test_ctrl_c_during_worker_start_up_leaves_no_traceback(thirty, tmp_path):
    out = tmp_path / "out"
    proc = _start(thirty, out)
    _wait_for(lambda: (out / "calls").is_dir())  # the lock is taken: workers are about to start
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


def test_stderr_of_a_batch_holds_only_tonecheck_lines(thirty, tmp_path):
    out = tmp_path / "out"
    team = tmp_path / "team"
    team.mkdir()
    for p in sorted(thirty.rglob("*.wav"))[:3]:
        (team / p.name).write_bytes(p.read_bytes())
    (team / "bad.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    run = subprocess.run(
        [sys.executable, "-m", "tonecheck", "batch", str(team), "--out", str(out), "--jobs", "2", "--lang", "en"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONWARNINGS": "always"},
    )
    assert run.returncode == 2
    lines = [line for line in run.stderr.replace("\r", "\n").splitlines() if line.strip()]
    assert lines and all(
        line.startswith(("Analyzing", "Error: ", "3 recordings analyzed")) or not line.strip() for line in lines
    ), run.stderr
