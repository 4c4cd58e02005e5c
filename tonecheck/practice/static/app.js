// tonecheck practice page: record (AudioWorklet -> WebSocket live figures, WAV of the
// take -> /api/analyze), upload, the ladder exercise, progress. No network but this server.
"use strict";
(function () {
  const TOKEN = document.querySelector('meta[name="tonecheck-token"]').content;
  const given = document.querySelector('meta[name="tonecheck-lang"]').content;
  const LANG = given || ((navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en");
  const STRINGS = window.TONECHECK_STRINGS[LANG] || window.TONECHECK_STRINGS.en;
  const $ = (id) => document.getElementById(id);
  const FINAL_TIMEOUT_MS = 120000;

  function t(key, params) {
    let s = STRINGS[key] || window.TONECHECK_STRINGS.en[key] || key;
    for (const [k, v] of Object.entries(params || {})) s = s.replace("{" + k + "}", String(v));
    return s;
  }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function num(v, digits) {
    return v === null || v === undefined || !isFinite(v) ? "–" : Number(v).toFixed(digits);
  }

  function applyLanguage() {
    document.documentElement.lang = LANG === "zh" ? "zh-CN" : "en";
    document.title = t("title");
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    $("sentence").value = t("ladder.default_sentence");
    showSentence();
  }

  function showError(message) {
    $("error").textContent = message;
    $("error").hidden = !message;
  }

  // One request to this server: the response, or an Error with the server's one-line message.
  async function request(method, path, body, query) {
    const params = new URLSearchParams(Object.assign({ token: TOKEN, lang: LANG }, query || {}));
    const response = await fetch(path + "?" + params.toString(), {
      method: method,
      body: body,
      headers: { "X-Tonecheck-Token": TOKEN },
    });
    if (response.ok) return response;
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = {};
    }
    throw new Error(data.error || response.status + " " + response.statusText);
  }

  async function api(method, path, body, query) {
    const response = await request(method, path, body, query);
    try {
      return await response.json();
    } catch (err) {
      return { error: response.status + " " + response.statusText };
    }
  }

  // ---- WAV of the take (32-bit float, so the server sees exactly the samples streamed live) ----
  function wavBlob(chunks, sr) {
    const n = chunks.reduce((s, c) => s + c.length, 0);
    const buffer = new ArrayBuffer(44 + 4 * n);
    const v = new DataView(buffer);
    const ascii = (off, s) => { for (let i = 0; i < s.length; i++) v.setUint8(off + i, s.charCodeAt(i)); };
    ascii(0, "RIFF"); v.setUint32(4, 36 + 4 * n, true); ascii(8, "WAVE");
    ascii(12, "fmt "); v.setUint32(16, 16, true); v.setUint16(20, 3, true); v.setUint16(22, 1, true);
    v.setUint32(24, sr, true); v.setUint32(28, 4 * sr, true); v.setUint16(32, 4, true); v.setUint16(34, 32, true);
    ascii(36, "data"); v.setUint32(40, 4 * n, true);
    const out = new Float32Array(buffer, 44, n);
    let off = 0;
    for (const c of chunks) { out.set(c, off); off += c.length; }
    return new Blob([buffer], { type: "audio/wav" });
  }

  // ---- the recorder: microphone -> worklet -> WebSocket, chunks kept for the WAV ----
  class Recorder {
    async start(onFigures) {
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 },
      });
      this.context = new AudioContext();
      await this.context.audioWorklet.addModule("/static/worklet.js?token=" + encodeURIComponent(TOKEN));
      this.sr = this.context.sampleRate;
      this.chunks = [];
      this.final = new Promise((resolve) => { this.resolveFinal = resolve; });
      const query = new URLSearchParams({ token: TOKEN, lang: LANG, sr: String(this.sr), format: "f32" });
      this.ws = new WebSocket("ws://" + location.host + "/ws/live?" + query.toString());
      this.ws.binaryType = "arraybuffer";
      this.ws.onmessage = (event) => {
        const msg = JSON.parse(event.data);
        if (msg.type === "figures") onFigures(msg);
        else this.resolveFinal(msg);
      };
      this.ws.onclose = () => this.resolveFinal({ type: "closed" });
      await new Promise((resolve, reject) => {
        this.ws.onopen = resolve;
        this.ws.onerror = () => reject(new Error(t("record.closed")));
      });
      const source = this.context.createMediaStreamSource(this.stream);
      this.node = new AudioWorkletNode(this.context, "pcm-capture");
      this.node.port.onmessage = (event) => this.take(event.data);
      const mute = this.context.createGain();
      mute.gain.value = 0;
      source.connect(this.node).connect(mute).connect(this.context.destination);
      await this.context.resume();
    }

    take(chunk) {
      if (!chunk.length) return;
      this.chunks.push(chunk);
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(chunk.buffer);
    }

    async stop() {
      this.node.port.postMessage("flush");
      await new Promise((resolve) => setTimeout(resolve, 150));
      for (const track of this.stream.getTracks()) track.stop();
      await this.context.close();
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send("stop");
      const timeout = new Promise((resolve) => setTimeout(() => resolve({ type: "closed" }), FINAL_TIMEOUT_MS));
      const final = await Promise.race([this.final, timeout]);
      return { blob: wavBlob(this.chunks, this.sr), final: final };
    }
  }

  // ---- live figures ----
  const METERS = {
    intonation: { id: "live-intonation", key: "intonation_level", lo: 1, hi: 10, digits: 1, unit: "" },
    rate: { id: "live-rate", key: "wpm", lo: 40, hi: 240, digits: 0, unit: "unit.wpm" },
    volume: { id: "live-volume", key: "speech_level_dbfs", lo: -60, hi: 0, digits: 0, unit: "unit.dbfs" },
    intensity: { id: "live-intensity", key: "intensity_index", lo: 0, hi: 10, digits: 1, unit: "" },
  };

  function pct(value, m) {
    return Math.max(0, Math.min(100, (100 * (value - m.lo)) / (m.hi - m.lo)));
  }

  function showLive(fig) {
    $("live").hidden = false;
    for (const [name, m] of Object.entries(METERS)) {
      const box = $(m.id);
      const value = fig[m.key];
      const verdict = (fig.verdicts || {})[name] || "unknown";
      const band = (fig.targets || {})[name];
      box.querySelector(".value").textContent = num(value, m.digits) + (m.unit ? " " + t(m.unit) : "");
      box.dataset.verdict = verdict;
      const low = band && band[0] !== null ? band[0] : m.lo;
      const high = band && band[1] !== null ? band[1] : m.hi;
      box.querySelector(".band").textContent = band ? t("target") + " " + low + "–" + high + " · " + t("verdict." + verdict) : "";
      const target = box.querySelector(".target");
      target.style.left = pct(low, m) + "%";
      target.style.width = pct(high, m) - pct(low, m) + "%";
      const mark = box.querySelector(".mark");
      mark.hidden = value === null || value === undefined || !isFinite(value);
      if (!mark.hidden) mark.style.left = pct(value, m) + "%";
    }
    $("cue").textContent = fig.cue ? fig.cue.text : "";
    $("live").dataset.updates = String(Number($("live").dataset.updates || 0) + 1);
  }

  // ---- a call: record or upload -> report ----
  let recorder = null;
  let currentId = null;

  async function startRecording(mode) {
    showError("");
    recorder = new Recorder();
    try {
      await recorder.start(showLive);
    } catch (err) {
      recorder = null;
      showError(t("record.no_mic") + err.message);
      return false;
    }
    $("status").textContent = t("record.listening");
    document.body.dataset.recording = mode;
    return true;
  }

  async function stopRecording() {
    const take = await recorder.stop();
    recorder = null;
    delete document.body.dataset.recording;
    if (take.final.type === "final") {
      const f = take.final.figures;
      $("status").textContent = t("result.live_final") + ": " + t("fig.intonation") + " " + num(f.intonation_level, 1) +
        " · " + t("fig.rate") + " " + num(f.rate_wpm, 0) + " " + t("unit.wpm");
      document.body.dataset.liveFinal = JSON.stringify(f);
    } else if (take.final.type === "error") {
      $("status").textContent = take.final.error;
    }
    return take;
  }

  async function analyzeBlob(blob, name, path) {
    const before = $("status").textContent;
    $("status").textContent = t("record.analyzing");
    const result = await api("POST", path, blob, { name: name, keep: $("keep").checked ? "1" : "0" });
    $("status").textContent = before === t("record.listening") ? "" : before;
    return result;
  }

  $("record").addEventListener("click", async () => {
    if (recorder) return;
    if (!(await startRecording("call"))) return;
    $("record").disabled = true;
    $("stop").disabled = false;
  });

  $("stop").addEventListener("click", async () => {
    $("stop").disabled = true;
    try {
      const take = await stopRecording();
      const result = await analyzeBlob(take.blob, "practice.wav", "/api/analyze");
      showResult(result, URL.createObjectURL(take.blob));
    } catch (err) {
      showError(err.message);
      $("status").textContent = "";
    } finally {
      $("record").disabled = false;
    }
  });

  // A dropped file plays as it is when this browser can play its type; otherwise
  // (AMR, WMA, Ogg in Safari, an unknown type) the server's MP3 of the analysed audio,
  // fetched whole into a blob, so the player can seek in it as in a recorded take.
  async function playbackUrl(file, result) {
    const type = file.type || "";
    if (type && document.createElement("audio").canPlayType(type) !== "") return URL.createObjectURL(file);
    const response = await request("GET", "/api/playback/" + result.id);
    return URL.createObjectURL(await response.blob());
  }

  async function uploadFile(file) {
    showError("");
    try {
      const result = await analyzeBlob(file, file.name, "/api/analyze");
      showResult(result, await playbackUrl(file, result));
    } catch (err) {
      showError(err.message);
      $("status").textContent = "";
    }
  }

  $("file").addEventListener("change", () => { if ($("file").files.length) uploadFile($("file").files[0]); });
  $("drop").addEventListener("dragover", (event) => { event.preventDefault(); $("drop").classList.add("over"); });
  $("drop").addEventListener("dragleave", () => $("drop").classList.remove("over"));
  $("drop").addEventListener("drop", (event) => {
    event.preventDefault();
    $("drop").classList.remove("over");
    if (event.dataTransfer.files.length) uploadFile(event.dataTransfer.files[0]);
  });

  function figureCards(box, f) {
    box.replaceChildren();
    const items = [
      ["intonation", num(f.intonation_level, 1)],
      ["rate", num(f.rate_wpm, 0) + " " + t("unit.wpm")],
      ["volume", num(f.speech_level_dbfs, 0) + " " + t("unit.dbfs")],
      ["intensity", num(f.intensity_index, 1)],
    ];
    for (const [name, value] of items) {
      const card = el("div", null, "card");
      card.dataset.verdict = (f.verdicts || {})[name] || "unknown";
      card.dataset.figure = name;
      card.append(el("h3", t("fig." + name)), el("p", value, "value"), el("p", t("verdict." + card.dataset.verdict), "band"));
      box.append(card);
    }
  }

  function showResult(result, audioUrl) {
    const a = result.analysis;
    $("result").hidden = false;
    $("summary").textContent = a.summary;
    figureCards($("final-figures"), result.figures);
    $("player").src = audioUrl;
    $("advice").replaceChildren(...a.suggestions.map((s) => el("li", s)));
    $("report-link").href = "/report/" + result.id + "?" + new URLSearchParams({ token: TOKEN, lang: LANG }).toString();
    timeline.show(result);
    currentId = result.id;
    $("result").dataset.attempt = String(result.id);
    loadProgress();
  }

  // ---- the pitch/time figure: click to play from there ----
  const timeline = {
    data: null,
    show(result) {
      this.data = result;
      const box = $("stretches");
      box.replaceChildren();
      const add = (kind, span) => {
        const b = el("button", t(kind) + " " + clock(span[0]) + "–" + clock(span[1]), "seek");
        b.type = "button";
        b.addEventListener("click", () => seek(span[0]));
        box.append(b);
      };
      for (const span of result.flat_s) add("result.flat", span);
      const longPause = result.analysis.targets.long_pause_s.high;
      for (const span of result.pauses_s) if (span[1] - span[0] >= longPause) add("result.pause", span);
      this.draw(null);
    },
    x(tSec, w) { return 40 + ((w - 50) * tSec) / Math.max(this.data.analysis.duration_s, 0.01); },
    draw(playhead) {
      const c = $("timeline");
      const g = c.getContext("2d");
      const a = this.data.analysis;
      const contour = a.pitch.contour || { hop_s: 0.01, f0_hz: [] };
      const lo = Math.max(50, (a.pitch.floor_hz || 75) * 0.8);
      const hi = Math.max(lo * 2, (a.pitch.ceiling_hz || 300) * 1.2);
      const y = (hz) => 10 + (c.height - 40) * (1 - Math.log(hz / lo) / Math.log(hi / lo));
      g.clearRect(0, 0, c.width, c.height);
      g.fillStyle = "rgba(230, 160, 40, 0.25)";
      for (const s of this.data.flat_s) g.fillRect(this.x(s[0], c.width), 0, this.x(s[1], c.width) - this.x(s[0], c.width), c.height - 25);
      g.fillStyle = "rgba(120, 120, 120, 0.15)";
      for (const s of this.data.pauses_s) g.fillRect(this.x(s[0], c.width), 0, this.x(s[1], c.width) - this.x(s[0], c.width), c.height - 25);
      g.fillStyle = "#1f5fa8";
      contour.f0_hz.forEach((hz, i) => { if (hz) g.fillRect(this.x(i * contour.hop_s, c.width), y(hz) - 1, 2, 2); });
      g.fillStyle = "#444";
      g.font = "12px sans-serif";
      for (let s = 0; s <= a.duration_s; s += Math.max(1, Math.ceil(a.duration_s / 10))) g.fillText(clock(s), this.x(s, c.width) - 8, c.height - 8);
      g.fillText(Math.round(hi) + " Hz", 2, 14);
      g.fillText(Math.round(lo) + " Hz", 2, c.height - 30);
      if (playhead !== null) {
        g.fillStyle = "#c0392b";
        g.fillRect(this.x(playhead, c.width), 0, 2, c.height - 25);
      }
    },
    timeAt(px) {
      const c = $("timeline");
      const tSec = ((px - 40) / (c.width - 50)) * this.data.analysis.duration_s;
      return Math.max(0, Math.min(this.data.analysis.duration_s, tSec));
    },
  };

  function clock(s) {
    const m = Math.floor(s / 60);
    const r = Math.floor(s % 60);
    return m + ":" + String(r).padStart(2, "0");
  }

  function seek(tSec) {
    const player = $("player");
    player.currentTime = tSec;
    player.dataset.seeked = String(tSec);
    player.play().catch(() => {});
  }

  $("timeline").addEventListener("click", (event) => {
    if (!timeline.data) return;
    const c = $("timeline");
    const r = c.getBoundingClientRect();
    seek(timeline.timeAt(((event.clientX - r.left) * c.width) / r.width));
  });
  $("player").addEventListener("timeupdate", () => { if (timeline.data) timeline.draw($("player").currentTime); });

  // ---- the ladder ----
  let ladderStep = 0;

  function showSentence() {
    $("sentence-show").textContent = $("sentence").value;
  }

  function markStep() {
    $("steps").querySelectorAll("li").forEach((li, i) => li.classList.toggle("current", i === ladderStep));
  }

  $("sentence").addEventListener("input", showSentence);

  $("ladder-start").addEventListener("click", async () => {
    if (recorder) return;
    if (!(await startRecording("ladder"))) return;
    ladderStep = 0;
    markStep();
    $("ladder-start").disabled = true;
    $("ladder-next").disabled = false;
    $("ladder-stop").disabled = false;
  });

  $("ladder-next").addEventListener("click", () => {
    ladderStep = Math.min(3, ladderStep + 1);
    markStep();
  });

  $("ladder-stop").addEventListener("click", async () => {
    $("ladder-next").disabled = true;
    $("ladder-stop").disabled = true;
    try {
      const take = await stopRecording();
      const result = await analyzeBlob(take.blob, "ladder.wav", "/api/ladder");
      showLadder(result);
    } catch (err) {
      showError(err.message);
      $("status").textContent = "";
    } finally {
      $("ladder-start").disabled = false;
      ladderStep = -1;
      markStep();
    }
  });

  function showLadder(result) {
    const lad = result.ladder;
    $("ladder-result").hidden = false;
    const parts = [t(lad.rises ? "ladder.rises" : "ladder.no_rise")];
    if (lad.low_level !== null && lad.high_level !== null) parts.push(t("ladder.range", { low: num(lad.low_level, 1), high: num(lad.high_level, 1) }));
    if (lad.settled_level !== null) parts.push(t("ladder.settled", { level: num(lad.settled_level, 1) }));
    $("ladder-verdict").textContent = parts.join("; ") + ".";
    const body = $("ladder-table").querySelector("tbody");
    body.replaceChildren();
    for (const r of lad.repetitions) {
      const bar = el("span", null, "level-bar");
      if (r.level !== null) bar.style.width = 10 * r.level + "%";
      const cell = el("td");
      cell.append(bar);
      const row = el("tr");
      row.append(el("td", String(r.index)), el("td", r.role ? t("ladder.role." + r.role) : ""), el("td", num(r.level, 1)), cell);
      body.append(row);
    }
    $("ladder-advice").replaceChildren(...lad.advice.map((s) => el("li", s)));
    currentId = result.id;
    loadProgress();
  }

  // ---- progress ----
  function chart(canvas, values, band, lo, hi) {
    const g = canvas.getContext("2d");
    const w = canvas.width;
    const h = canvas.height;
    const y = (v) => h - 10 - ((h - 20) * (Math.max(lo, Math.min(hi, v)) - lo)) / (hi - lo);
    g.clearRect(0, 0, w, h);
    g.fillStyle = "rgba(46, 139, 87, 0.18)";
    g.fillRect(0, y(band.high), w, y(band.low) - y(band.high));
    g.strokeStyle = "#1f5fa8";
    g.fillStyle = "#1f5fa8";
    g.beginPath();
    const pts = values.map((v, i) => [values.length > 1 ? 10 + ((w - 20) * i) / (values.length - 1) : w / 2, v]);
    let started = false;
    for (const [x, v] of pts) {
      if (v === null) continue;
      if (started) g.lineTo(x, y(v)); else g.moveTo(x, y(v));
      started = true;
    }
    g.stroke();
    for (const [x, v] of pts) if (v !== null) g.fillRect(x - 2, y(v) - 2, 4, 4);
  }

  function attemptRow(a) {
    const f = a.figures;
    const row = el("tr");
    row.dataset.id = String(a.id);
    const del = el("button", t("progress.delete"), "danger");
    del.type = "button";
    del.addEventListener("click", async () => {
      try { await api("DELETE", "/api/attempts/" + a.id); } catch (err) { showError(err.message); }
      loadProgress();
    });
    const cell = el("td");
    cell.append(del);
    const when = new Date(a.created_at).toLocaleString(LANG === "zh" ? "zh-CN" : "en");
    row.append(el("td", when), el("td", t("progress.kind." + a.kind)), el("td", num(f.intonation_level, 1)),
      el("td", num(f.rate_wpm, 0)), el("td", num(f.intensity_index, 1)), cell);
    return row;
  }

  function showCompare(list) {
    const box = $("compare");
    box.replaceChildren();
    const i = list.findIndex((a) => a.id === currentId);
    if (i < 1) return;
    for (const [label, a] of [["progress.this", list[i]], ["progress.last", list[i - 1]]]) {
      const col = el("div", null, "column");
      col.append(el("h3", t(label)));
      const cards = el("div", null, "figures");
      figureCards(cards, a.figures);
      col.append(cards);
      box.append(col);
    }
  }

  async function loadProgress() {
    let data;
    try { data = await api("GET", "/api/attempts"); } catch (err) { showError(err.message); return; }
    const list = data.attempts;
    const tg = data.targets;
    $("attempts").querySelector("tbody").replaceChildren(...list.map(attemptRow));
    $("no-attempts").hidden = list.length > 0;
    $("progress-section").dataset.count = String(list.length);
    chart($("chart-intonation"), list.map((a) => a.figures.intonation_level), tg.intonation_level, 1, 10);
    chart($("chart-rate"), list.map((a) => a.figures.rate_wpm), tg.rate_wpm, 40, 240);
    chart($("chart-intensity"), list.map((a) => a.figures.intensity_index), tg.intensity_index, 0, 10);
    showCompare(list);
  }

  let confirmAll = false;
  $("delete-all").addEventListener("click", async () => {
    if (!confirmAll) {
      confirmAll = true;
      $("delete-all").textContent = t("progress.confirm_all");
      return;
    }
    confirmAll = false;
    $("delete-all").textContent = t("progress.delete_all");
    try { await api("DELETE", "/api/attempts"); } catch (err) { showError(err.message); }
    loadProgress();
  });

  applyLanguage();
  loadProgress();
  document.body.dataset.ready = "1";
})();
