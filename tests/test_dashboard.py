"""The coach dashboard: who needs the coach first, steady vs steadily off target, sorting in a real browser."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pytest

from tests import browser
from tonecheck.batch import BatchRecord, BatchResult, FileFailure
from tonecheck.messages import Message, render
from tonecheck.report.dashboard import agent_trends, band_distance, render_dashboard
from tonecheck.scoring import band_message
from tonecheck.targets import Band

LOCALE = Path(__file__).resolve().parents[1] / "tonecheck" / "locale"
needs_chromium = pytest.mark.skipif(
    browser.chromium() is None, reason="chromium not installed (apt-get install chromium)"
)
TARGETS = {"intonation": (4.5, 6.5), "rate": (100.0, 150.0), "loudness": (-36.0, -10.0)}


def _verdict(value, block):
    lo, hi = TARGETS[block]
    return "unknown" if value is None else "below" if value < lo else "above" if value > hi else "within"


def _intensity(index):
    """The JSON "intensity" block (None: an old result without one)."""
    if index is None:
        return {}
    band = "calm" if index < 3.5 else "intense" if index > 6.5 else "engaged"
    verdict = "below" if index < 3.5 else "above" if index > 7.5 else "within"
    target = {"low": 3.5, "high": 7.5}
    return {"intensity": {"index": index, "band": band, "verdict": verdict, "target": target, "windows": []}}


def _record(agent, when, level, wpm, dbfs=-22.0, *, warnings=(), advice="Keep going.", energy=0.0, intensity=5.0):
    name = f"{agent}-{when}"
    data = {
        "file": f"/calls/{agent}/{when}.wav",
        "warnings": list(warnings),
        "intonation": {"level": level, "verdict": _verdict(level, "intonation"), "target": {"low": 4.5, "high": 6.5}},
        "rate": {"wpm": wpm, "verdict": _verdict(wpm, "rate"), "target": {"low": 100.0, "high": 150.0}},
        "loudness": {
            "speech_level_dbfs": dbfs,
            "verdict": _verdict(dbfs, "loudness"),
            "target": {"low": -36.0, "high": -10.0},
        },
        "energy": {"level": "normal", "index": energy, "verdict": "within", "target": {"low": -3.0, "high": 3.0}},
        **_intensity(intensity),
        "suggestions": [advice],
        "batch": {"agent": agent, "recorded_at": when, "name": name},
    }
    return BatchRecord(agent, when, name, data)


def _team() -> BatchResult:
    days = ("2026-11-20T09:00:00", "2026-11-20T12:00:00", "2026-11-21T16:30:00")
    records = [
        *(_record("ana", d, 5.5, 130) for d in days),  # on target all session
        *(_record("dan", d, 1.1, 125, advice="Use more rise and fall.") for d in days),  # steadily flat
        *(_record("ben", d, 5.4, 171, advice="Slow down.") for d in days),  # fast
        _record("cara", days[0], 7.0, 120),
        _record("cara", days[1], 4.0, 120, warnings=["only 12 s of speech; rate is less reliable"]),
        _record("cara", days[2], 1.5, 120, advice="Add rise and fall again."),  # fades through the day
        _record("eve", days[1], None, None, intensity=None),  # nothing measured, old result: blanks sort last
    ]
    return BatchResult(tuple(records), (FileFailure("/calls/ben/bad.wav", "bad.wav: not audio; check the file"),))


def test_band_distance_counts_band_widths_outside():
    band = Band(100.0, 150.0)
    assert band_distance(125, band, scale=50) == 0
    assert band_distance(175, band, scale=50) == pytest.approx(0.5)
    assert band_distance(50, band, scale=50) == pytest.approx(1.0)
    assert band_distance(float("nan"), band, scale=50) == 0
    assert band_distance(200, Band(100.0, math.inf), scale=50) == 0
    assert band_distance(60, Band(100.0, math.inf), scale=50) == pytest.approx(0.8)


def test_agents_are_listed_farthest_from_target_first():
    trends = {t.agent: t for t in agent_trends(_team())}
    assert trends["dan"].distance == pytest.approx((4.5 - 1.1) / 2)
    assert trends["ben"].distance == pytest.approx(21 / 50)
    assert trends["ana"].distance == 0
    page = render_dashboard(_team(), lang="en")
    agents_table = page[page.index('id="agents"') : page.index("</table>", page.index('id="agents"'))]
    order = re.findall(r'<tr data-agent="([^"]+)"', agents_table)
    assert order == ["dan", "ben", "cara", "ana", "eve"]
    first = html.unescape(re.search(r'<p class="summary" id="first">([^<]*)</p>', page).group(1))
    flat = render(Message("summary.flat.none", {"target": band_message(Band(4.5, 6.5))}), "en")
    assert first == f"Needs you first: dan. {flat}"


def test_advice_is_the_worst_calls_summary_in_the_page_language():
    trends = {t.agent: t for t in agent_trends(_team())}
    assert trends["cara"].advice("en").startswith("Good pace, but flat")  # her last, flattest call
    assert trends["ben"].advice("en").startswith("Lively enough, but fast")
    assert trends["ben"].advice("zh") == render(
        Message("summary.lively.fast", {"target": band_message(Band(4.5, 6.5))}), "zh"
    )
    assert "Slow down." not in render_dashboard(_team(), lang="zh")  # stored English suggestions are not used


def test_steady_is_green_only_on_target():
    trends = {t.agent: t for t in agent_trends(_team())}
    assert trends["ana"].status == "steady"
    assert trends["dan"].status == "steady_flat"  # flat at 1.1 all session: not "steady" in green
    assert trends["cara"].status == "fading"
    assert trends["eve"].status == "unknown"
    page = render_dashboard(_team(), lang="en")
    cell = lambda agent: re.search(rf'<tr data-agent="{agent}">.*?<td [^>]*class="agent-trend (\w+)"[^>]*>', page)  # noqa: E731
    assert cell("ana").group(1) == "within" and cell("dan").group(1) == "below"
    assert "steadily flat" in page and "steady on target" in page


def test_dashboard_says_when_and_what_went_wrong():
    page = render_dashboard(_team(), lang="en")
    assert "2026-11-20 09:00" in page and "2026-11-21 16:30" in page  # the session's date range
    assert "only 12 s of speech; rate is less reliable" in page  # warning text, not only a count
    assert "Median words/min" not in page.split('id="recordings"')[1]  # per-call values are not medians
    ben = re.search(r'<a href="calls/ben-[^"]+" title="([^"]+)"', page).group(1)
    assert "rate above target" in ben  # the tooltip is not just the intonation verdict
    assert page.count("<li>") == 1  # the failure; warnings are table cells


def test_histogram_has_title_count_axis_and_legend():
    page = render_dashboard(_team(), lang="en")
    svg = re.search(r'<svg id="histogram".*?</svg>', page).group(0)
    assert "Calls per intonation level" in svg and ">Calls</text>" in svg
    assert "target 4.5 to 6.5" in svg  # the hatched band is explained
    counts = [int(c) for c in re.findall(r'text-anchor="end">(\d+)</text>', svg)]
    assert counts[0] == 0 and max(counts) >= 3  # ten calls, at most three per bin
    assert "grey band = target 4.5 to 6.5" in page  # sparkline shading caption


def test_dashboard_is_complete_in_chinese_and_escaped():
    english = json.loads((LOCALE / "en.json").read_text("utf-8"))
    team = _team()
    evil = _record("<img src=x onerror=alert(1)>", "2026-11-22T10:00:00", 5.0, 120, warnings=["<b>x</b>"])
    result = BatchResult((*team.records, evil), team.failures)
    page = render_dashboard(result, lang="zh")
    for key in (
        "dashboard.col.distance",
        "dashboard.hist_title",
        "dashboard.status.steady_flat",
        "dashboard.distance_note",
    ):
        assert english[key] not in page
        assert json.loads((LOCALE / "zh.json").read_text("utf-8"))[key].split("{")[0] in page
    assert "<img src=x" not in page and "<b>x</b>" not in page


AFTERNOON = tuple(f"2026-11-20T{h}:00:00" for h in (13, 14, 15, 16, 17))


def _session(agent, intensities, dbfs=(-22.0,) * 5, energy=(0.0,) * 5, times=AFTERNOON):
    """Five calls with the same lively intonation (5.5) and on-target rate."""
    return [
        _record(agent, when, 5.5, 130, db, intensity=i, energy=e)
        for when, i, db, e in zip(times, intensities, dbfs, energy)
    ]


def test_falling_intensity_is_flagged_in_plain_words():
    fay = agent_trends(BatchResult(tuple(_session("fay", (6.8, 6.6, 6.0, 5.0, 4.9))), ()))[0]
    assert fay.fading == ("intensity",) and fay.status == "fading"
    f = fay.falls[1]
    assert (f.first, f.last, f.baseline) == pytest.approx((6.8, 4.9, 6.0))  # thirds of 5 calls: one call each
    page = render_dashboard(BatchResult(tuple(_session("fay", (6.8, 6.6, 6.0, 5.0, 4.9))), ()), lang="en")
    cell = re.search(r'class="agent-trend below" data-fading="intensity"[^>]*>(.*?)</td>', page).group(1)
    words = html.unescape(cell)
    assert "intensity fell 1.9 points through the afternoon (6.8 → 4.9; the agent's median 6.0)" in words
    assert "Intensity per call in recording order for fay: 6.8, 6.6, 6.0, 5.0, 4.9" in words  # its own sparkline
    zh = render_dashboard(BatchResult(tuple(_session("fay", (6.8, 6.6, 6.0, 5.0, 4.9))), ()), lang="zh")
    assert "下午，情绪强度下降了 1.9 分" in zh


def test_a_quieter_recording_with_the_same_intensity_is_not_fading():
    quiet = (-22.0, -22.0, -22.0, -32.0, -32.0)  # the last calls 10 dB quieter: a microphone, not a voice
    old_energy = (3.0, 3.0, 3.0, -7.0, -7.0)  # the old level-based energy index fell with it
    gus = agent_trends(BatchResult(tuple(_session("gus", (5.5,) * 5, quiet, old_energy)), ()))[0]
    assert gus.fading == () and gus.status == "steady"
    page = render_dashboard(BatchResult(tuple(_session("gus", (5.5,) * 5, quiet, old_energy)), ()), lang="en")
    cell = re.search(r'<td [^>]*class="agent-trend (\w+)" data-fading="([^"]*)"[^>]*>(.*?)</td>', page)
    assert cell.group(1, 2) == ("within", "") and "steady on target" in cell.group(3)
    assert "fell" not in cell.group(3) and "fading" not in cell.group(3)


def test_fading_is_judged_against_the_agents_own_median():
    back_to_usual = agent_trends(BatchResult(tuple(_session("hal", (8.0, 5.0, 5.0, 5.0, 5.0))), ()))[0]
    assert back_to_usual.falls[1].drop == pytest.approx(3.0)  # an unusually intense first call ...
    assert back_to_usual.fading == ()  # ... then the usual level: not fading
    flat = agent_trends(BatchResult(tuple(_record("ivy", w, v, 130) for w, v in zip(AFTERNOON, (6, 6, 5.5, 5, 5))), ()))
    assert flat[0].fading == ("intonation",)  # intonation fades on its own threshold (0.75 levels)


def test_old_results_without_intensity_still_render_and_intensity_counts_in_the_distance():
    old = [_record("jo", w, 5.5, 130, intensity=None) for w in AFTERNOON[:3]]
    calm = [_record("kim", w, 5.5, 130, intensity=1.5) for w in AFTERNOON[:3]]
    trends = {t.agent: t for t in agent_trends(BatchResult((*old, *calm), ()))}
    assert trends["jo"].distance == 0 and math.isnan(trends["jo"].medians["intensity"])
    assert trends["kim"].distance == pytest.approx((3.5 - 1.5) / 4)  # band widths of the 3.5-7.5 target
    page = render_dashboard(BatchResult((*old, *calm), ()), lang="en")
    order = re.findall(r'<tr data-agent="([^"]+)"', page)
    assert order == ["kim", "jo"]
    assert "1.5 calm" in page  # per-call intensity with its band word


def test_span_names_the_part_of_the_day():
    morning = agent_trends(
        BatchResult(tuple(_session("a", (5,) * 2, times=("2026-11-20T09:00", "2026-11-20T11:59"))), ())
    )
    days = agent_trends(BatchResult(tuple(_session("b", (5,) * 2, times=("2026-11-20T09:00", "2026-11-21T09:00"))), ()))
    day = agent_trends(BatchResult(tuple(_session("c", (5,) * 2, times=("2026-11-20T09:00", "2026-11-20T15:00"))), ()))
    assert [t[0].span() for t in (morning, days, day)] == ["morning", "session", "day"]


def _column(page: browser.Page, table: str, col: int) -> list:
    return page.evaluate(
        f"Array.prototype.map.call(document.querySelectorAll('#{table} tbody tr'),"
        f" function(r) {{ return r.cells[{col}].textContent.trim(); }})"
    )


@needs_chromium
def test_clicking_headings_sorts_each_table_by_its_own_columns(tmp_path):
    path = tmp_path / "index.html"
    path.write_text(render_dashboard(_team(), lang="en"), "utf-8")
    with browser.Page(tmp_path) as page:
        page.open(path)
        page.click("#recordings thead th:nth-child(6)")  # Words/min
        assert page.console == []  # was: TypeError reading 'getAttribute' (columns counted across tables)
        rates = _column(page, "recordings", 5)
        numbers = [float(r) for r in rates if r != "–"]
        assert numbers == sorted(numbers) and rates[-1] == "–"  # numeric, blanks last
        assert (
            page.evaluate("document.querySelector('#recordings thead th:nth-child(6)').getAttribute('aria-sort')")
            == "ascending"
        )
        page.click("#recordings thead th:nth-child(6)")
        rates = _column(page, "recordings", 5)
        numbers = [float(r) for r in rates if r != "–"]
        assert numbers == sorted(numbers, reverse=True) and rates[-1] == "–"  # blanks still last
        assert numbers[0] == 171
        page.click("#recordings thead th:nth-child(1)")  # Agent: text
        agents = _column(page, "recordings", 0)
        assert agents == sorted(agents)
        page.click("#agents thead th:nth-child(4)")  # Calls, in the first table
        calls = [int(c) for c in _column(page, "agents", 3)]
        assert calls == sorted(calls)
        assert page.evaluate("document.querySelectorAll('[aria-sort]').length") == 2  # one per table
        page.click("#agents thead th:nth-child(6)")  # median intensity: eve's old result has none
        medians = _column(page, "agents", 5)
        assert medians[-1] == "–" and medians[:-1] == sorted(medians[:-1], key=float)
        assert page.console == []
