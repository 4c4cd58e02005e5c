"""tonecheck practice: the ASGI app in-process (token, Host, Origin, uploads, live WebSocket,
attempts), the store, the command, and one real-browser recording through Debian's chromium."""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

pytest.importorskip("starlette")
pytest.importorskip("httpx")

with warnings.catch_warnings():  # starlette 1.x warns about httpx at import
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402
from starlette.websockets import WebSocketDisconnect  # noqa: E402

from tonecheck.analysis import analyze_file  # noqa: E402
from tonecheck.practice.app import create_app  # noqa: E402
from tonecheck.practice.store import AttemptStore  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SPEECH_WAV = SAMPLES / "greeting_lively.wav"
TOKEN = "test-token-0123456789"
BASE = "http://127.0.0.1:8765"
WS = "ws://127.0.0.1:8765"
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def client(data_dir):
    app = create_app(data_dir=data_dir, lang="en", token=TOKEN, port=8765)
    with TestClient(app, base_url=BASE) as c:
        yield c


def _files(folder: Path) -> list:
    return sorted(p for p in folder.rglob("*") if p.is_file())


# ---- refusals ----


def test_page_needs_the_token(client):
    assert client.get("/").status_code == 403
    assert client.get("/?token=wrong").status_code == 403
    assert client.get("/static/app.js").status_code == 403
    assert client.get("/api/attempts").status_code == 403
    page = client.get(f"/?token={TOKEN}")
    assert page.status_code == 200
    assert TOKEN in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "connect-src 'self' ws://127.0.0.1:*" in csp
    assert client.get("/api/attempts", headers={"X-Tonecheck-Token": TOKEN}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example:8765", "127.0.0.1:9999", "localhost", "127.0.0.1.evil.example:8765"])
def test_foreign_host_refused(client, host):
    """DNS rebinding arrives with the attacker's name (or another port) in Host."""
    response = client.get(f"/api/attempts?token={TOKEN}", headers={"Host": host})
    assert response.status_code == 400
    assert "Host" in response.text


def test_localhost_name_accepted(client):
    assert client.get(f"/api/attempts?token={TOKEN}", headers={"Host": "localhost:8765"}).status_code == 200


@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1:9999", "null", "https://127.0.0.1:8765"])
def test_foreign_origin_refused(client, origin):
    response = client.post(f"/api/analyze?token={TOKEN}", content=b"x", headers={"Origin": origin})
    assert response.status_code == 403
    assert "Origin" in response.text
    with pytest.raises(WebSocketDisconnect) as info:
        with client.websocket_connect(f"{WS}/ws/live?token={TOKEN}&sr=16000", headers={"Origin": origin}) as ws:
            ws.receive_text()
    assert info.value.code == 1008 and "Origin" in info.value.reason


def test_websocket_needs_the_token(client):
    with pytest.raises(WebSocketDisconnect) as info:
        with client.websocket_connect(f"{WS}/ws/live?sr=16000") as ws:
            ws.receive_text()
    assert info.value.code == 1008 and "token" in info.value.reason
    with pytest.raises(WebSocketDisconnect) as info:
        with client.websocket_connect(f"ws://evil.example:8765/ws/live?token={TOKEN}&sr=16000") as ws:
            ws.receive_text()
    assert info.value.code == 1008 and "Host" in info.value.reason


def test_upload_too_large_refused(data_dir):
    app = create_app(data_dir=data_dir, lang="en", token=TOKEN, port=8765, max_upload_bytes=1000)
    with TestClient(app, base_url=BASE) as c:
        response = c.post(f"/api/analyze?token={TOKEN}&name=big.wav", content=b"\0" * 5000)
        assert response.status_code == 413
        assert response.json()["error"].startswith("Error: the recording is larger than")
        assert c.get(f"/api/attempts?token={TOKEN}").json()["attempts"] == []
        with c.websocket_connect(f"{WS}/ws/live?token={TOKEN}&sr=16000&format=i16") as ws:
            ws.send_bytes(b"\0" * 2000)
            reply = json.loads(ws.receive_text())
        assert reply["type"] == "error" and reply["error"].startswith("Error: the recording is larger than")
    assert _files(data_dir / "tmp") == []


# ---- analysis ----


def test_analyze_equals_analyze_file(client, data_dir):
    response = client.post(
        f"/api/analyze?token={TOKEN}&name=greeting.wav", content=SPEECH_WAV.read_bytes(), headers={"Origin": BASE}
    )
    assert response.status_code == 200, response.text
    got = response.json()
    want = analyze_file(SPEECH_WAV).to_dict(contour=True)
    assert got["analysis"]["file"] == "greeting.wav"
    for key in ("intonation", "rate", "loudness", "intensity", "pitch", "speech", "summary"):
        assert got["analysis"][key] == want[key], key
    assert got["figures"]["intonation_level"] == pytest.approx(want["intonation"]["level"], abs=0.051)
    assert got["figures"]["rate_wpm"] == pytest.approx(want["rate"]["wpm"], abs=0.051)
    assert _files(data_dir / "tmp") == [] and _files(data_dir / "recordings") == []
    report = client.get(f"/report/{got['id']}?token={TOKEN}")
    assert report.status_code == 200 and "greeting.wav" in report.text


def test_playback_is_the_analysed_audio_as_mp3_for_files_a_browser_cannot_play(client):
    """A dropped AMR, 3GP or (in Safari) Ogg file plays from the server's MP3 of the analysed audio."""
    got = client.post(f"/api/analyze?token={TOKEN}&name=greeting.wav", content=SPEECH_WAV.read_bytes()).json()
    assert client.get(f"/api/playback/{got['id']}").status_code == 403  # the token, as everywhere
    response = client.get(f"/api/playback/{got['id']}?token={TOKEN}")
    assert response.status_code == 200 and response.headers["content-type"] == "audio/mpeg"
    y, sr = sf.read(io.BytesIO(response.content))
    assert len(y) / sr == pytest.approx(got["analysis"]["duration_s"], abs=0.1)
    assert client.delete(f"/api/attempts/{got['id']}?token={TOKEN}").status_code == 200
    gone = client.get(f"/api/playback/{got['id']}?token={TOKEN}")
    assert gone.status_code == 404 and "no longer in memory" in gone.json()["error"]


def test_bad_file_gives_the_analyze_error_line(client, data_dir):
    response = client.post(f"/api/analyze?token={TOKEN}&name=notes.wav", content=b"plain text, not audio\n" * 20)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error.startswith("Error: notes.wav: ") and "\n" not in error and "; " in error
    assert str(data_dir) not in error
    assert _files(data_dir / "tmp") == []


def test_bad_file_error_in_chinese(data_dir):
    app = create_app(data_dir=data_dir, lang="zh", token=TOKEN)
    with TestClient(app, base_url=BASE) as c:
        error = c.post(f"/api/analyze?token={TOKEN}&name=a.wav", content=b"not audio" * 20).json()["error"]
    assert error.startswith("错误：") and "a.wav" in error


def test_kept_recording_stays_inside_data_dir_then_goes(client, data_dir):
    name = "../../escape.wav"
    response = client.post(f"/api/analyze?token={TOKEN}&name={name}&keep=1", content=SPEECH_WAV.read_bytes())
    assert response.status_code == 200, response.text
    kept = _files(data_dir / "recordings")
    assert len(kept) == 1 and kept[0].name.endswith("escape.wav")
    assert not (data_dir.parent / "escape.wav").exists()
    attempt_id = response.json()["id"]
    assert client.delete(f"/api/attempts/{attempt_id}?token={TOKEN}").json() == {"deleted": 1}
    assert _files(data_dir / "recordings") == []


# ---- live ----


def _pcm_frames(path: Path, block_s: float = 1.0):
    y, sr = sf.read(path, dtype="int16")
    step = int(block_s * sr)
    return sr, [y[i : i + step].tobytes() for i in range(0, len(y), step)]


def test_live_figures_then_final_analysis(client):
    sr, frames = _pcm_frames(SPEECH_WAV)
    updates = []
    with client.websocket_connect(f"{WS}/ws/live?token={TOKEN}&sr={sr}&format=i16") as ws:
        for frame in frames:
            ws.send_bytes(frame)
            updates.append(json.loads(ws.receive_text()))  # 1 s blocks: one update each
        ws.send_text("stop")
        final = json.loads(ws.receive_text())
    assert all(u["type"] == "figures" for u in updates) and len(updates) == len(frames)
    assert [u["t_s"] for u in updates] == sorted(u["t_s"] for u in updates)
    assert any(u["speaking"] and u["intonation_level"] is not None for u in updates)
    assert set(updates[-1]["verdicts"]) == {"intonation", "rate", "volume", "intensity"}
    assert final["type"] == "final"
    want = analyze_file(SPEECH_WAV)
    assert final["analysis"]["intonation"]["level"] == pytest.approx(round(want.intonation.level, 1), abs=0.051)
    assert final["analysis"]["rate"]["wpm"] == pytest.approx(want.rate.wpm, rel=0.03)


def test_live_refuses_bad_stream_and_silence(client):
    with client.websocket_connect(f"{WS}/ws/live?token={TOKEN}&sr=12&format=f32") as ws:
        reply = json.loads(ws.receive_text())
    assert reply["type"] == "error" and reply["error"].startswith("Error: live audio at 12 Hz")
    with client.websocket_connect(f"{WS}/ws/live?token={TOKEN}&sr=16000&format=f32") as ws:
        ws.send_bytes(np.zeros(16000 * 2, "<f4").tobytes())
        ws.send_text("stop")
        while (reply := json.loads(ws.receive_text()))["type"] == "figures":
            pass
    assert reply["type"] == "error" and reply["error"].startswith("Error: live: ")


# ---- the ladder ----

LADDER_SENTENCE = "Mr Liu is not here at the moment."
LADDER_RANGES = (50, 0, 33, 66, 99, 77, 55)  # normal, climb (espeak pitch range 0..99), down, settle


@pytest.fixture(scope="module")
def ladder_wav(tmp_path_factory) -> Path:
    from xml.sax.saxutils import escape

    from tests import synth

    if not synth.espeak_available():
        pytest.skip("espeak-ng not on PATH; install it (apt-get install espeak-ng)")
    parts = [f'<prosody range="{r}">{escape(LADDER_SENTENCE)}</prosody>' for r in LADDER_RANGES]
    y, sr = synth.espeak_ssml('<break time="700ms"/>'.join(parts), voice="en-us")
    return synth.write_wav(tmp_path_factory.mktemp("ladder") / "ladder.wav", y, sr)


@pytest.mark.espeak
def test_ladder_route_equals_the_library_and_rises(client, ladder_wav):
    from tonecheck.ladder import analyze_ladder_file

    response = client.post(f"/api/ladder?token={TOKEN}&name=ladder.wav", content=ladder_wav.read_bytes())
    assert response.status_code == 200, response.text
    got = response.json()
    want = analyze_ladder_file(ladder_wav).to_dict()
    assert [r["level"] for r in got["ladder"]["repetitions"]] == [r["level"] for r in want["repetitions"]]
    assert got["ladder"]["rises"] is True and want["rises"] is True
    climb = [r["level"] for r in want["repetitions"]][1:5]
    assert climb == sorted(climb), climb
    listed = client.get(f"/api/attempts?token={TOKEN}").json()["attempts"]
    assert [a["kind"] for a in listed] == ["ladder"]
    assert listed[0]["figures"]["ladder"]["levels"] == [r["level"] for r in want["repetitions"]]


# ---- attempts ----


def test_attempts_listed_deleted_one_and_all(client, data_dir):
    body = SPEECH_WAV.read_bytes()
    ids = [client.post(f"/api/analyze?token={TOKEN}&name=t{i}.wav&keep=1", content=body).json()["id"] for i in range(3)]
    listed = client.get(f"/api/attempts?token={TOKEN}").json()
    assert [a["id"] for a in listed["attempts"]] == ids
    assert all(a["kind"] == "call" and a["has_recording"] for a in listed["attempts"])
    assert listed["targets"]["intonation_level"] == {"low": 4.5, "high": 6.5}
    assert len(_files(data_dir / "recordings")) == 3
    assert client.delete(f"/api/attempts/{ids[0]}?token={TOKEN}").status_code == 200
    assert client.delete(f"/api/attempts/{ids[0]}?token={TOKEN}").status_code == 404
    assert [a["id"] for a in client.get(f"/api/attempts?token={TOKEN}").json()["attempts"]] == ids[1:]
    assert len(_files(data_dir / "recordings")) == 2
    assert client.delete(f"/api/attempts?token={TOKEN}").json() == {"deleted": 2}
    assert client.get(f"/api/attempts?token={TOKEN}").json()["attempts"] == []
    assert _files(data_dir / "recordings") == []
    assert client.get(f"/report/{ids[1]}?token={TOKEN}").status_code == 404
    raw = (data_dir / "attempts.sqlite3").read_bytes()
    assert b"t1.wav" not in raw and b"t2.wav" not in raw  # VACUUM + secure_delete: the figures are gone


def test_store_survives_reopen(tmp_path):
    store = AttemptStore(tmp_path)
    first = store.add("ladder", {"intonation_level": 5.5})
    store.close()
    again = AttemptStore(tmp_path)
    assert [a.to_dict() for a in again.list()] == [first.to_dict()]
    with pytest.raises(ValueError):
        again.add("lecture", {})
    with pytest.raises(ValueError):
        again.recording_path("../outside.wav")
    again.close()
    rows = sqlite3.connect(tmp_path / "attempts.sqlite3").execute("SELECT kind FROM attempts").fetchall()
    assert rows == [("ladder",)]


# ---- the command ----


def test_cli_help_and_socket():
    from click.testing import CliRunner

    from tonecheck.cli.practice import bind_socket, practice

    result = CliRunner().invoke(practice, ["--help"])
    assert result.exit_code == 0 and "--no-browser" in result.output and "--data-dir" in result.output
    sock = bind_socket(0)
    try:
        host, port = sock.getsockname()
        assert host == "127.0.0.1" and port > 0
    finally:
        sock.close()


def test_cli_serves_until_ctrl_c(tmp_path):
    """The command binds 127.0.0.1, prints the URL with the token, serves it, and stops cleanly on SIGINT."""
    import os
    import signal
    import subprocess
    import sys
    import urllib.request

    code = "from tonecheck.cli.practice import practice; practice()"
    args = [sys.executable, "-c", code, "--no-browser", "--data-dir", str(tmp_path / "d"), "--lang", "zh"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        line = proc.stdout.readline()
        assert line.startswith("tonecheck practice: http://127.0.0.1:"), line + proc.stderr.read()
        url = line.split(": ", 1)[1].strip()
        assert "?token=" in url and len(url.rsplit("=", 1)[1]) >= 40
        with urllib.request.urlopen(url, timeout=30) as page:
            assert page.status == 200 and b'content="zh"' in page.read()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url.split("?")[0] + "api/attempts", timeout=30)
        assert refused.value.code == 403
        for header, status in (({"Host": "evil.example"}, 400), ({"Origin": "http://evil.example"}, 403)):
            request = urllib.request.Request(url, headers=header)
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=30)
            assert refused.value.code == status, header
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    assert proc.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err


def test_page_strings_in_both_languages():
    import re

    from tonecheck.practice.app import STATIC

    table = (STATIC / "i18n.js").read_text(encoding="utf-8")
    en, zh = table.split("\n  zh: {")
    keys = [re.findall(r'^    "([^"]+)":', part, flags=re.M) for part in (en, zh)]
    assert keys[0] and keys[0] == keys[1]
    used = set(re.findall(r'data-i18n="([^"]+)"', (STATIC / "index.html").read_text(encoding="utf-8")))
    used |= set(re.findall(r'\bt\("([a-z_.]+)"', (STATIC / "app.js").read_text(encoding="utf-8")))
    assert {k for k in used if not k.endswith(".")} - set(keys[0]) == set()
    assert "刘经理目前不在这里。" in zh


def test_page_language_follows_the_browser_without_lang(data_dir):
    app = create_app(data_dir=data_dir, lang=None, token=TOKEN)
    with TestClient(app, base_url=BASE) as c:
        assert 'name="tonecheck-lang" content=""' in c.get(f"/?token={TOKEN}").text
        zh = c.post(f"/api/analyze?token={TOKEN}&lang=zh&name=a.wav", content=b"not audio" * 20).json()["error"]
        en = c.post(f"/api/analyze?token={TOKEN}&name=a.wav", content=b"not audio" * 20).json()["error"]
    assert zh.startswith("错误：") and en.startswith("Error: a.wav: ")


# ---- a real browser: Debian's chromium with a fake microphone playing a known recording ----


class _Server:
    """uvicorn serving the practice app on a free 127.0.0.1 port, in a thread."""

    def __init__(self, data_dir: Path):
        import threading

        import uvicorn

        from tonecheck.cli.practice import bind_socket

        self.sock = bind_socket(0)
        self.port = self.sock.getsockname()[1]
        app = create_app(data_dir=data_dir, lang="en", token=TOKEN, port=self.port)
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.port}/?token={TOKEN}"

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


def _navigate(page, url: str) -> None:
    page._events.clear()
    page._call("Page.navigate", {"url": url}, session=True)
    page._wait_event("Page.loadEventFired")


def _wait_for(page, expression: str, *, timeout_s: float, what: str):
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = page.evaluate(expression)
        if value:
            return value
        error = page.evaluate(
            "document.getElementById('error').hidden ? '' : document.getElementById('error').textContent"
        )
        if error:
            return {"page_error": error}
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


@contextlib.contextmanager
def _chromium_on(tmp_path, monkeypatch, wav: Path, *, loop: bool = True):
    """(page, server): chromium whose fake microphone plays ``wav``, on a live practice server."""
    from tests import browser

    if browser.chromium() is None:
        pytest.skip("chromium not installed (apt-get install chromium)")
    fake = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
    fake += [f"--use-file-for-fake-audio-capture={wav}{'' if loop else '%noloop'}"]
    monkeypatch.setattr(browser, "FLAGS", [*browser.FLAGS, *fake, "--autoplay-policy=no-user-gesture-required"])
    server = _Server(tmp_path / "data")
    try:
        with browser.Page(tmp_path, timeout_s=90) as page:
            _navigate(page, server.url)
            assert _wait_for(page, "document.body.dataset.ready", timeout_s=20, what="the page script") == "1"
            yield page, server
    finally:
        server.close()


def _choose_file(page, selector: str, path: Path) -> None:
    """Put ``path`` in a file input, as the user choosing it would (fires ``change``)."""
    root = page._call("DOM.getDocument", session=True)["root"]["nodeId"]
    node = page._call("DOM.querySelector", {"nodeId": root, "selector": selector}, session=True)["nodeId"]
    page._call("DOM.setFileInputFiles", {"files": [str(path)], "nodeId": node}, session=True)


def _live_updates(page, count: int):
    updates = _wait_for(
        page, f"Number(document.getElementById('live').dataset.updates||0)>={count}", timeout_s=40, what="live figures"
    )
    if isinstance(updates, dict):
        pytest.skip(f"chromium's fake microphone is not usable here: {updates['page_error']}")


def test_browser_records_with_live_figures_and_final_report(tmp_path, monkeypatch):
    bad = tmp_path / "notes.wav"
    bad.write_bytes(b"plain text, not audio\n" * 20)
    with _chromium_on(tmp_path, monkeypatch, SPEECH_WAV) as (page, server):
        _choose_file(page, "#file", bad)  # a bad upload: the one-line error, shown in the page
        _wait_for(page, "!document.getElementById('error').hidden", timeout_s=30, what="the error line")
        error = page.evaluate("document.getElementById('error').textContent")
        assert error.startswith("Error: notes.wav: ") and "; " in error, error
        assert all("status of 400" in m for m in page.console), page.console  # the refused upload, nothing else
        page.console.clear()
        page.evaluate("document.getElementById('error').hidden = true")
        page.click("#record")
        _live_updates(page, 4)
        live = page.evaluate("document.querySelector('#live-intonation .value').textContent")
        assert page.evaluate("document.querySelector('#live-rate .band').textContent").startswith("target 100")
        time.sleep(6)  # some 8 s of speech in the take
        page.click("#stop")
        done = _wait_for(page, "document.getElementById('result').dataset.attempt", timeout_s=90, what="the report")
        assert not isinstance(done, dict), done
        final_live = json.loads(page.evaluate("document.body.dataset.liveFinal"))
        cards = dict(
            page.evaluate(
                "Array.from(document.querySelectorAll('#final-figures .card'))"
                ".map(c=>[c.dataset.figure,c.querySelector('.value').textContent])"
            )
        )
        page.click("#timeline")  # the middle of the pitch figure: play from there
        seeked = page.evaluate("document.getElementById('player').dataset.seeked")
        _navigate(page, server.url)  # reload: the attempt is in the progress view
        count = _wait_for(page, "document.getElementById('progress-section').dataset.count", timeout_s=20, what="rows")
        listed = [a.figures for a in AttemptStore(tmp_path / "data").list()]
        page.click("#attempts tbody tr button.danger")  # delete it: one click, really gone
        after = _wait_for(
            page, "document.getElementById('progress-section').dataset.count==='0'", timeout_s=20, what="deletion"
        )
        console = list(page.console)
    assert live not in ("", "–")  # a figure was shown while recording
    assert len(listed) == 1 and count == "1"
    assert after is True and AttemptStore(tmp_path / "data").list() == []
    stored = listed[0]
    assert cards["intonation"] == f"{stored['intonation_level']:.1f}"
    # the live path's final figures equal the analysis of the saved take (same samples: a float WAV)
    assert final_live["intonation_level"] == pytest.approx(stored["intonation_level"], abs=0.051)
    assert final_live["rate_wpm"] == pytest.approx(stored["rate_wpm"], rel=0.03)
    assert seeked is not None and 0 < float(seeked) < stored["duration_s"]
    assert console == [], console


@pytest.mark.espeak
def test_browser_plays_a_file_it_cannot_decode_from_the_servers_mp3(tmp_path, monkeypatch):
    """A WMA recording (as AMR from Android recorders): chromium cannot play the file itself, so the player gets /api/playback."""
    import shutil
    import subprocess

    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not on PATH; install ffmpeg")
    phone = tmp_path / "phone.wma"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(SPEECH_WAV), "-c:a", "wmav2", str(phone)], check=True)
    with _chromium_on(tmp_path, monkeypatch, SPEECH_WAV) as (page, server):
        assert page.evaluate("document.createElement('audio').canPlayType('audio/x-ms-wma')") == ""
        _choose_file(page, "#file", phone)
        result = _wait_for(page, "!document.getElementById('result').hidden", timeout_s=60, what="the report")
        assert result is True, result
        fetched = (
            "performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/api/playback/'))"
        )
        assert len(page.evaluate(fetched)) == 1  # one request: the MP3 is played from a blob
        _wait_for(page, "document.getElementById('player').readyState >= 1", timeout_s=20, what="the audio")
        duration = page.evaluate("document.getElementById('player').duration")
        assert duration == pytest.approx(sf.info(str(SPEECH_WAV)).duration, abs=0.2)
        page.evaluate("document.getElementById('player').currentTime = 10")  # seekable, as a click on the figure
        assert page.evaluate("document.getElementById('player').currentTime") == pytest.approx(10.0, abs=0.1)
        assert page.console == [], page.console


def test_browser_guided_ladder_rises(tmp_path, monkeypatch, ladder_wav):
    duration_s = sf.info(ladder_wav).duration
    with _chromium_on(tmp_path, monkeypatch, ladder_wav, loop=False) as (page, _server):
        assert page.evaluate("document.getElementById('sentence-show').textContent") == LADDER_SENTENCE
        page.click("#ladder-start")
        _live_updates(page, 1)
        for _ in range(3):  # walk the steps while the ladder plays
            time.sleep(duration_s / 4)
            page.click("#ladder-next")
        time.sleep(duration_s / 4 + 1.5)
        page.click("#ladder-stop")
        shown = _wait_for(
            page, "!document.getElementById('ladder-result').hidden", timeout_s=90, what="the ladder result"
        )
        assert shown is True, shown
        levels = page.evaluate(
            "Array.from(document.querySelectorAll('#ladder-table tbody tr')).map(r=>r.children[2].textContent)"
        )
        verdict = page.evaluate("document.getElementById('ladder-verdict').textContent")
        console = list(page.console)
    stored = AttemptStore(tmp_path / "data").list()
    assert [a.kind for a in stored] == ["ladder"]
    assert stored[0].figures["ladder"]["rises"] is True, stored[0].figures
    assert verdict.startswith("Your climb rises")
    shown = ["–" if v is None else f"{v:.1f}" for v in stored[0].figures["ladder"]["levels"]]
    assert len(levels) >= 4 and levels == shown
    assert console == [], console
