"""``analyze --report --embed-audio``: the recording in the page, compressed, played from the timeline (issue 12, item 2).

One 54 s recording with a known shape is analysed once per module: 20 s of
lively phrases (8 semitones), 4 s of silence (a long pause, 20-24 s), then
30 s of monotone phrases (a flat stretch from 20 s on).
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import time
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
import soundfile as sf
import soxr
from click.testing import CliRunner

from tests import browser, synth
from tonecheck.audio import from_array, load_audio
from tonecheck.call import analyze_call_file
from tonecheck.cli import cli
from tonecheck.errors import TonecheckError
from tonecheck.report import embed
from tonecheck.report.call_html import call_audio, render_call_report

SR = 8000
DURATION_S = 54.0
needs_chromium = pytest.mark.skipif(
    browser.chromium() is None, reason="chromium not installed (apt-get install chromium)"
)


def _recording() -> np.ndarray:
    lively = synth.speechlike_phrases(sr=SR, duration_s=20.0, excursion_st=8.0)
    flat = synth.speechlike_phrases(sr=SR, duration_s=30.0, excursion_st=0.0)
    return np.concatenate([lively, np.zeros(4 * SR, np.float32), flat])


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """``(plain, embedded)`` report pages of the recording, written by the CLI."""
    tmp = tmp_path_factory.mktemp("embed")
    wav = synth.write_wav(tmp / "call.wav", _recording(), SR)
    out = {}
    for name, extra in (("plain", []), ("embedded", ["--embed-audio"])):
        result = CliRunner().invoke(cli, ["analyze", str(wav), "--report", str(tmp / f"{name}.html"), *extra])
        assert result.exit_code == 0, result.output
        out[name] = tmp / f"{name}.html"
    return out


def _csp(page: str) -> dict:
    content = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    return {d.split()[0]: d.split()[1:] for d in content.split("; ")}


def _audio_bytes(page: str) -> bytes:
    (src,) = re.findall(r'<audio [^>]*src="data:audio/mpeg;base64,([A-Za-z0-9+/=]+)"', page)
    return base64.b64decode(src)


def test_ten_minutes_encode_under_two_megabytes():
    y = np.tile(synth.speechlike_phrases(sr=SR, duration_s=30.0, excursion_st=6.0), 20)
    mime, data = embed.encode_audio(from_array(y, sr=SR, path="ten.wav"))
    assert mime == "audio/mpeg"  # MP3: every browser plays it, Safari included
    assert 1_000_000 < len(data) < 1_300_000  # constant 16 kbit/s: 1.2 MB whatever the content
    assert len(base64.b64encode(data)) < 2 * 2**20  # what it adds to the page: at most ~2 MB


CORPUS_CALL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "calls" / "Auto_Repairs_40_UTC_caller.wav"


@pytest.mark.skipif(not CORPUS_CALL.exists(), reason="corpus not present (../shared/corpus)")
def test_real_call_stays_within_the_ten_minute_budget():
    audio = load_audio(CORPUS_CALL)  # 245 s of a real call centre caller
    _, data = embed.encode_audio(audio)
    kbit_per_s = len(data) * 8 / audio.duration_s / 1000
    assert kbit_per_s < 20.0  # 10 min under 1.5 MB, under 2 MB as base64 (measured 16.0)


def test_opus_encodes_and_a_missing_codec_falls_back(monkeypatch):
    audio = from_array(synth.speechlike_phrases(sr=SR, duration_s=3.0, excursion_st=6.0), sr=SR, path="a.wav")
    mime, data = embed.encode_audio(audio, codec="opus")
    assert mime == "audio/ogg; codecs=opus"
    y, sr = sf.read(io.BytesIO(data))
    assert sr == SR and len(y) / sr == pytest.approx(3.0, abs=0.05)
    monkeypatch.setattr(embed.sf, "available_subtypes", lambda fmt: {"VORBIS": "Vorbis"})
    assert embed.encode_audio(audio, codec="opus")[0] == "audio/ogg; codecs=vorbis"
    monkeypatch.setattr(embed.sf, "available_subtypes", lambda fmt: {})
    with pytest.raises(TonecheckError, match=r"^a\.wav: cannot embed the audio: .*; update soundfile") as err:
        embed.encode_audio(audio)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("codec", sorted(embed.EMBED_CODECS))
def test_decoded_audio_lines_up_with_the_recording(codec):
    """Every codec's file plays the recording at its own times: no encoder lead-in before it."""
    rng = np.random.default_rng(3)
    y = np.zeros(4 * SR, np.float32)
    for at in (0.7, 1.9, 3.1):  # noise bursts at known times
        y[int(at * SR) : int(at * SR) + SR // 20] = 0.4 * rng.standard_normal(SR // 20)
    mime, data = embed.encode_audio(from_array(y, sr=SR, path="b.wav"), codec=codec)
    assert mime == embed.EMBED_CODECS[codec].mime
    decoded, sr = sf.read(io.BytesIO(data), dtype="float32")
    decoded = soxr.resample(decoded, sr, SR) if sr != SR else decoded
    corr = np.correlate(decoded[: 4 * SR], y[int(0.5 * SR) : int(3.5 * SR)], mode="valid")
    assert abs(int(np.argmax(corr)) - int(0.5 * SR)) <= 2  # within 0.25 ms at 8 kHz (the MP3 lead-in is 69 ms)
    assert len(decoded) / SR == pytest.approx(4.0, abs=0.05)


def test_embedded_page_has_one_audio_that_decodes_to_the_recording(pages):
    page = pages["embedded"].read_text("utf-8")
    assert page.count("<audio") == 1 and 'id="call-audio"' in page
    y, sr = sf.read(io.BytesIO(_audio_bytes(page)))
    assert sr == embed.EMBED_CODECS["mp3"].rate_hz and len(y) / sr == pytest.approx(DURATION_S, abs=0.1)
    assert np.sqrt(np.mean(y[: 20 * sr] ** 2)) > 10 * np.sqrt(np.mean(y[21 * sr : 23 * sr] ** 2))  # the pause
    seeks = re.findall(r'<button type="button" class="seek" data-seek-s="([0-9.]+)"', page)
    assert [float(s) for s in seeks] == [pytest.approx(20.0, abs=0.1), pytest.approx(20.0, abs=0.1)]  # flat, pause
    assert "Flat stretch 0:20–0:54" in page and "Long pause 0:20–0:24 (4.0 s)" in page


def test_csp_allows_exactly_the_inline_script_by_hash_and_nothing_external(pages):
    page = pages["embedded"].read_text("utf-8")
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert len(scripts) == 1 and page.count("<script") == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode("ascii")
    policy = _csp(page)
    assert policy["script-src"] == [f"'sha256-{digest}'"]
    assert policy["default-src"] == ["'none'"] and policy["media-src"] == ["data:"] and policy["img-src"] == ["data:"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'none'"]
    assert not re.search(r"(src|href)=\"(?!data:)", page)  # every source is inline
    assert "http:" not in page and "https:" not in page


def test_figure_carries_its_time_axis_in_png_pixels(pages):
    page = pages["embedded"].read_text("utf-8")
    tag = re.search(r'<img class="plot seekable"[^>]*>', page).group(0)
    d = {k: float(v) for k, v in re.findall(r'data-([a-z0-9-]+)="([-0-9.]+)"', tag)}
    assert d["t0-s"] == 0.0 and d["t1-s"] == pytest.approx(DURATION_S, abs=0.05)
    png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', tag).group(1))
    dark = matplotlib.image.imread(io.BytesIO(png))[..., :3].mean(axis=2) < 0.5
    assert dark.shape == (d["height-px"], d["width-px"])
    rows = dark[int(d["top-px"]) : int(d["bottom-px"])]
    for x in (d["x0-px"], d["x1-px"]):  # the axes' spines: dark over most of the panels' height
        assert max(rows[:, c].mean() for c in range(int(x) - 1, int(x) + 2)) > 0.8
    assert rows[:, int(d["x0-px"]) - 6].mean() < 0.2  # and not just anywhere


def test_without_the_flag_the_page_has_no_script_and_no_audio(pages):
    plain = pages["plain"].read_text("utf-8")
    embedded = pages["embedded"].read_text("utf-8")
    assert "<script" not in plain and "<audio" not in plain and 'data-seek-s="' not in plain
    policy = _csp(plain)
    assert policy["script-src"] == ["'none'"] and "media-src" not in policy
    assert len(plain) < 600_000
    added = len(embedded) - len(plain)
    assert len(base64.b64encode(_audio_bytes(embedded))) < added < len(base64.b64encode(_audio_bytes(embedded))) + 8000


def test_embed_audio_without_report_is_a_one_line_error(tmp_path):
    wav = synth.write_wav(tmp_path / "a.wav", _recording()[: 5 * SR], SR)
    result = CliRunner().invoke(cli, ["analyze", str(wav), "--embed-audio"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Error: --embed-audio: the recording is only embedded in the HTML report; add --report FILE.html"
    ]


def _wait_loaded(page: browser.Page) -> None:
    for _ in range(100):
        if page.evaluate("document.getElementById('call-audio').readyState") >= 1:
            return
        time.sleep(0.05)
    raise AssertionError("the embedded audio never loaded")


@needs_chromium
def test_clicking_the_figure_and_a_play_button_seeks(pages, tmp_path):
    with browser.Page(tmp_path) as page:
        page.open(pages["embedded"])
        _wait_loaded(page)
        assert page.evaluate("document.getElementById('call-audio').duration") == pytest.approx(DURATION_S, abs=0.1)
        d = page.evaluate("Object.assign({}, document.getElementById('time-figure').dataset)")
        page.click("#time-figure")  # the centre of the image
        x = float(d["widthPx"]) / 2
        expected = (x - float(d["x0Px"])) / (float(d["x1Px"]) - float(d["x0Px"])) * float(d["t1S"])
        assert page.evaluate("document.getElementById('call-audio').currentTime") == pytest.approx(expected, abs=0.5)
        page.click("#play-list li:nth-child(2) button")  # the long pause
        assert page.evaluate("document.getElementById('call-audio').currentTime") == pytest.approx(20.0, abs=0.1)
        assert page.console == []


@pytest.fixture(scope="module")
def call_page(tmp_path_factory):
    """The stereo call of ``tests/test_call_render.py`` (agent left, caller right), reported with its audio."""
    from tests.test_call_render import DURATION_S as CALL_S
    from tests.test_call_render import PLAN
    from tests.test_call_render import SR as CALL_SR

    sides = {p: np.zeros(int(CALL_S * CALL_SR), np.float32) for p in ("agent", "caller")}
    for party, start, end, rate, f0, level in PLAN:
        y, _ = synth.syllable_bursts(sr=CALL_SR, rate_per_s=rate, duration_s=end - start, f0_hz=f0, level_dbfs=level)
        sides[party][int(start * CALL_SR) : int(start * CALL_SR) + y.size] += y
    tmp = tmp_path_factory.mktemp("callpage")
    wav = synth.write_wav(tmp / "call.wav", np.stack([sides["agent"], sides["caller"]], axis=1), CALL_SR)
    conv = analyze_call_file(wav, agent="left")
    audio = call_audio(conv)
    page = render_call_report(conv, lang="en", audio_data_uri=embed.audio_data_uri(audio))
    path = tmp / "call.html"
    path.write_text(page, "utf-8")
    return conv, path


def test_call_report_embeds_both_sides_and_timeline_rects_seek(call_page):
    conv, path = call_page
    page = path.read_text("utf-8")
    assert page.count("<audio") == 1 and page.count("<script") == 1
    y, sr = sf.read(io.BytesIO(_audio_bytes(page)))
    assert len(y) / sr == pytest.approx(conv.agent.audio.duration_s, abs=0.1)
    for t in conv.turn_taking.turns:  # both parties audible in the mix
        seg = y[int(t.start_s * sr) : int(t.end_s * sr)]
        assert np.sqrt(np.mean(seg**2)) > 0.01
    starts = [float(s) for s in re.findall(r'<rect [^>]*data-seek-s="([0-9.]+)"', page)]
    assert {round(t.start_s, 2) for t in conv.turn_taking.turns} <= set(starts)


@needs_chromium
def test_clicking_a_turn_in_the_call_timeline_seeks(call_page, tmp_path):
    conv, path = call_page
    second = conv.turn_taking.turns[1]
    with browser.Page(tmp_path) as page:
        page.open(path)
        _wait_loaded(page)
        page.click(f'#call-timeline rect[data-seek-s="{second.start_s:.2f}"]')
        assert page.evaluate("document.getElementById('call-audio').currentTime") == pytest.approx(
            second.start_s, abs=0.05
        )
        assert page.console == []
