"""The call report: self-contained, complete in both languages, escaped, renders in Chromium."""

from __future__ import annotations

import dataclasses
import html
import json
import math
import re
from pathlib import Path

import pytest
import soundfile as sf
from click.testing import CliRunner

from tests import browser, synth
from tonecheck.analysis import analyze_file
from tonecheck.cli import cli
from tonecheck.messages import Message, render
from tonecheck.report.html import flat_stretches, render_report
from tonecheck.report.page import escape
from tonecheck.scoring import Verdict
from tonecheck.targets import Band, default_targets

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "tonecheck" / "locale"
needs_chromium = pytest.mark.skipif(
    browser.chromium() is None, reason="chromium not installed (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def call_wav(tmp_path_factory):
    path = tmp_path_factory.mktemp("call") / "call.wav"
    y = synth.speechlike_phrases(sr=16000, duration_s=24.0, excursion_st=5.0)
    sf.write(path, y, 16000, subtype="PCM_16")
    return path


@pytest.fixture(scope="module")
def analysis(call_wav):
    return analyze_file(call_wav)


def test_catalogs_have_the_same_keys_and_placeholders():
    en = json.loads((LOCALE / "en.json").read_text("utf-8"))
    zh = json.loads((LOCALE / "zh.json").read_text("utf-8"))
    assert set(en) == set(zh)
    for key in en:
        assert set(re.findall(r"{(\w+)}", en[key])) == set(re.findall(r"{(\w+)}", zh[key])), key


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_is_self_contained_and_complete(analysis, lang):
    page = render_report(analysis, lang=lang)
    assert page.startswith("<!doctype html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert page.count('class="gauge"') == 4
    assert page.count("<svg") == 4
    assert re.search(r'<img class="plot" alt="[^"]{40,}" src="data:image/png;base64,', page)
    for section in ("h-headline", "h-next", "h-time", "h-review", "h-facts"):
        assert f'id="{section}"' in page
    assert page.count("<dt>") >= 4 + 9  # four questions, nine facts
    if lang == "zh":
        assert 'lang="zh-CN"' in page and "我是否用语调的起伏表现出了兴趣" in page
        english = json.loads((LOCALE / "en.json").read_text("utf-8"))
        for key in ("report.q.inflection", "report.facts", "label.next"):
            assert english[key] not in page


def test_names_and_transcripts_are_escaped(tmp_path):
    nasty = tmp_path / "<script>alert(1)</script>.wav"  # a folder "<script>alert(1)<" holding "script>.wav"
    nasty.parent.mkdir()
    sf.write(nasty, synth.speechlike_phrases(sr=16000, duration_s=8.0, excursion_st=3.0), 16000)
    transcript = tmp_path / "t.txt"
    transcript.write_text('<img src=x onerror="alert(2)"> hello <b>there</b> friend', "utf-8")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["analyze", str(nasty), "--transcript", str(transcript), "--report", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    assert "<script>alert" not in page and "onerror=" not in page.replace("onerror=&quot;", "")
    assert escape(str(nasty)) in page
    assert "<script" not in page  # the call report has no scripts at all


def test_report_and_plot_options_write_files_atomically(call_wav, tmp_path):
    report, plot = tmp_path / "r.html", tmp_path / "p.png"
    result = CliRunner().invoke(cli, ["analyze", str(call_wav), "--report", str(report), "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    assert report.stat().st_size > 10_000 and plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".*part"))


def test_unwritable_report_is_one_line_error(call_wav, tmp_path):
    result = CliRunner().invoke(cli, ["analyze", str(call_wav), "--report", str(tmp_path / "missing" / "r.html")])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert result.output.startswith(f"Error: {tmp_path / 'missing' / 'r.html'}: ")


def test_report_needs_a_single_file(call_wav, tmp_path):
    result = CliRunner().invoke(cli, ["analyze", str(call_wav), str(call_wav), "--report", str(tmp_path / "r.html")])
    assert result.exit_code == 1 and "single FILE" in result.output


@needs_chromium
def test_console_error_detection_works(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><p>x</p><script>throw new Error("deliberate")</script>', "utf-8")
    assert any("deliberate" in line for line in browser.load(page, tmp_path).console)


@needs_chromium
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_renders_in_headless_chromium(analysis, tmp_path, lang):
    page = tmp_path / f"report_{lang}.html"
    page.write_text(render_report(analysis, lang=lang), "utf-8")
    loaded = browser.load(page, tmp_path)
    assert loaded.console == []
    assert loaded.dom.count('class="gauge"') == 4 and 'src="data:image/png;base64,' in loaded.dom
    assert not browser.is_blank(loaded.screenshot)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_opens_with_the_summary_and_reading_notes(analysis, lang):
    notes = (
        Message("note.telephone_band", {"sr": 16000, "edge_khz": "4"}),
        Message("note.short_speech", {"seconds": "19.9"}),
    )
    page = render_report(dataclasses.replace(analysis, notes=notes), lang=lang)
    summary = escape(render(analysis.scores.summary, lang))
    short, telephone = (escape(render(n, lang)) for n in (notes[1], notes[0]))
    headline = page.index('id="h-headline"')
    assert page.index(summary) < headline  # the plain-language line comes first
    assert page.index(short) < headline and page.count(short) == 1  # changes how to read the figures: on top
    assert page.index(telephone) > page.index('id="h-facts"') and page.count(telephone) == 1  # the rest: bottom
    plain = render_report(dataclasses.replace(analysis, notes=notes[:1]), lang=lang)
    assert 'id="reading-notes"' not in plain and plain.index(summary) < plain.index('id="h-headline"')


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_gauge_and_panel_says_what_it_means(analysis, lang):
    page = render_report(analysis, lang=lang)
    meanings = re.findall(r'<p class="meaning">([^<]+)</p>', page)
    assert len(meanings) == 4 and all(len(m) > 30 for m in meanings)
    target = {"en": "-36 to -10 dBFS", "zh": "-36 至 -10 dBFS"}[lang]
    assert target in meanings[3] and "dBFS" in meanings[3]
    not_level = {"en": "not from the microphone level", "zh": "而不是麦克风电平"}[lang]
    assert not_level in html.unescape(meanings[1])
    caption = re.search(r"<figcaption>(.*?)</figcaption>", page).group(1)
    assert caption.count("<p>") == 5  # pitch, intensity, recording level, rate, flat stretches
    assert {"en": "darker = flatter", "zh": "越深越平"}[lang] in caption
    assert {"en": "Second, intensity:", "zh": "第二幅，情绪强度："}[lang] in caption
    assert not re.search(r"\d--\d", page) and "–-" not in page  # "-36--10" style ranges are gone


def _gauge_html(page: str, label: str) -> str:
    start = page.index(f'<div class="gauge"><div>{label}</div>')
    return page[start : page.index("</svg>", start)]


def _with_intensity(a, index: float, band: str, verdict: str):
    it = dataclasses.replace(a.intensity, index=index, band=band)
    scores = dataclasses.replace(a.scores, intensity=Verdict(index, a.scores.intensity.band, verdict))
    return dataclasses.replace(a, intensity=it, scores=scores)


def test_intensity_gauge_shows_index_band_verdict_and_hatched_target(analysis):
    a = _with_intensity(analysis, 8.2, "intense", "above")
    page = render_report(a, lang="en")
    gauge = _gauge_html(page, "Intensity")
    assert "8.2 of 10, intense · above target" in gauge
    assert "Intensity: 8.2 of 10, intense, target 3.5 to 7.5, above target" in gauge  # the alt text
    # 0-10 scale over 280 px from x=10: band 3.5-7.5 at 108-220, marker at 8.2 -> 239.6
    assert 'x="108.0" y="46" width="112.0"' in gauge and 'x2="239.6"' in gauge
    assert "Energy" not in page and "typical phone voice" not in page  # the level-based gauge is gone
    level = _gauge_html(page, "Recording level")
    assert "speech level" in level and "dBFS" in level


def test_unmeasured_intensity_shows_a_dash_and_no_marker(analysis):
    a = _with_intensity(analysis, float("nan"), "unknown", "unknown")
    page = render_report(a, lang="zh")
    gauge = _gauge_html(page, "情绪强度")
    assert "–（满分 10），– · 未测量" in gauge and "<polygon" not in gauge


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_self_review_gives_the_agents_own_intensity_and_asks_for_the_caller(analysis, lang):
    a = _with_intensity(analysis, 2.4, "calm", "below")
    page = html.unescape(render_report(a, lang=lang))
    answer = page[page.index(render(Message("report.q.intensity"), lang)) :]
    answer = answer[: answer.index("</dd>")]
    own = {"en": "Your own intensity was 2.4 of 10 (calm)", "zh": "你自己的情绪强度是 2.4（满分 10，平静）"}[lang]
    caller = {"en": "the caller's intensity is unknown", "zh": "无法知道来电者的情绪强度"}[lang]
    assert own in answer and caller in answer


def test_no_unit_stands_without_a_plain_word(analysis):
    page = render_report(analysis, lang="en")
    nodes = [html.unescape(t) for t in re.findall(r">([^<]+)<", page[page.index("<body>") :])]
    plain = {
        "dBFS": ("level", "loud", "speech"),
        "semitones": ("pitch",),
        "of 10": ("level", "calm", "engaged", "intense"),
    }
    for unit, words in plain.items():
        found = [t for t in nodes if re.search(rf"{unit}\b", t)]
        assert found, unit
        for t in found:
            assert any(w in t.lower() for w in words), (unit, t)


def test_open_target_bands_print_in_words(call_wav):
    targets = dataclasses.replace(
        default_targets(), rate_wpm=Band(170.0, math.inf), speech_level_dbfs=Band(-math.inf, -10.0)
    )
    a = analyze_file(call_wav, targets=targets)
    page = render_report(a, lang="en")
    assert "at least 170 words/min" in page and "at most -10 dBFS" in page
    assert "100 to 150" not in page and "100-150" not in page  # the figure and its alt use the active band


def test_overlapping_flat_windows_are_listed_once(analysis):
    windows = tuple(
        dataclasses.replace(analysis.intonation.windows[0], start_s=s, end_s=s + 10.0, level=1.5) for s in (15, 20, 25)
    )
    a = dataclasses.replace(analysis, intonation=dataclasses.replace(analysis.intonation, windows=windows))
    assert flat_stretches(a) == [(15, 35)]
    assert "0:15–0:35" in render_report(a, lang="en")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_mixed_voices_are_said_on_top_and_in_the_caller_answers(analysis, lang):
    note = Message("note.two_voices")
    page = render_report(dataclasses.replace(analysis, notes=(note,)), lang=lang)
    assert page.index(escape(render(note, lang))) < page.index('id="h-headline"')
    one_voice = {"en": "This recording holds one voice", "zh": "这段录音只有一个人的声音"}[lang]
    assert one_voice not in page and "--channel left" in page
