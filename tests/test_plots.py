"""The figure: format from the extension, a title that stands alone, a legend for every shading."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
import soundfile as sf
from click.testing import CliRunner

from tests import synth
from tonecheck.analysis import analyze_file
from tonecheck.cli import cli
from tonecheck.errors import TonecheckError
from tonecheck.report.plots import cjk_font, main_figure, save_figure

MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "svg": b"<?xml", "pdf": b"%PDF-"}


@pytest.fixture(scope="module")
def call_wav(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("plots") / "call $x$.wav"  # '$' would start matplotlib mathtext
    sf.write(path, synth.speechlike_phrases(sr=16000, duration_s=16.0, excursion_st=5.0), 16000, subtype="PCM_16")
    return path


@pytest.fixture(scope="module")
def analysis(call_wav):
    return analyze_file(call_wav)


@pytest.fixture(scope="module")
def figure(analysis):
    return main_figure(analysis, lang="en")


@pytest.mark.parametrize("name", ["f.png", "f.svg", "f.pdf", "F.PNG", "f.Svg"])
def test_format_follows_the_extension(figure, tmp_path, name):
    path = tmp_path / name
    save_figure(figure, path)
    assert path.read_bytes().startswith(MAGIC[path.suffix.lower()[1:]])
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left


@pytest.mark.parametrize("name", ["f.jpg", "f.jpeg", "f.gif", "f", "f.png.txt"])
def test_other_extensions_are_refused_in_one_line(figure, tmp_path, name):
    with pytest.raises(TonecheckError, match=r"name it \.png, \.svg or \.pdf") as err:
        save_figure(figure, tmp_path / name)
    assert "\n" not in str(err.value) and str(err.value).startswith(str(tmp_path / name))
    assert list(tmp_path.iterdir()) == []


def test_figure_never_replaces_a_protected_input(figure, call_wav, tmp_path):
    before = call_wav.read_bytes()
    target = tmp_path / "call.png"
    target.symlink_to(call_wav)  # a link to the recording is the recording
    with pytest.raises(TonecheckError):
        save_figure(figure, target, protect=[call_wav])
    assert call_wav.read_bytes() == before


def test_plot_option_refuses_jpg_and_writes_svg(call_wav, tmp_path):
    bad = CliRunner().invoke(cli, ["analyze", str(call_wav), "--plot", str(tmp_path / "x.jpg")])
    assert bad.exit_code == 1 and bad.output.count("\n") == 1 and "Traceback" not in bad.output
    assert "name it .png, .svg or .pdf" in bad.output and not (tmp_path / "x.jpg").exists()
    good = CliRunner().invoke(cli, ["analyze", str(call_wav), "--plot", str(tmp_path / "x.svg")])
    assert good.exit_code == 0, good.output
    assert (tmp_path / "x.svg").read_bytes().startswith(MAGIC["svg"])


def test_title_carries_file_name_and_headline_verdicts(analysis, figure):
    title = figure.get_suptitle()
    assert title.startswith(r"call \$x\$.wav — ")  # shown literally, not as mathtext
    level = f"{analysis.intonation.level:.1f}"
    assert f"intonation {level} " in title and "words/min" in title and "level" in title and "dBFS" in title
    assert f"intensity {analysis.intensity.index:.1f} " in title
    assert title.count("target") == 4  # one verdict per headline figure
    assert main_figure(analysis, lang="en", title=False).get_suptitle() == ""


def test_every_shading_and_dashed_line_has_a_legend_entry(figure):
    pitch, intensity, loudness, rate = figure.axes[:4]
    panels = (pitch, intensity, loudness, rate)
    labels = {ax: [t.get_text() for t in ax.get_legend().get_texts()] for ax in panels}
    assert any("darker = flatter" in t for t in labels[pitch]) and any("median" in t for t in labels[pitch])
    assert "target 3.5 to 7.5" in labels[intensity] and "band edges: calm | engaged | intense" in labels[intensity]
    assert any(t.startswith("whole call ") for t in labels[intensity])
    assert any("speech" in t for t in labels[loudness]) and any("speech level" in t for t in labels[loudness])
    assert any("target -36 to -10 dBFS" == t for t in labels[loudness])
    assert labels[rate][0] == "target 100 to 150 words/min"
    colorbar = figure.axes[4]
    assert "hatched = target" in colorbar.get_ylabel()


def test_intensity_panel_plots_each_window_and_leaves_gaps(analysis):
    windows = tuple(
        dataclasses.replace(w, index=float("nan") if i == 1 else 2.0 + i)
        for i, w in enumerate(analysis.intensity.windows)
    )
    a = dataclasses.replace(analysis, intensity=dataclasses.replace(analysis.intensity, windows=windows))
    ax = main_figure(a, lang="en").axes[1]
    assert ax.get_ylim() == (0.0, 10.0) and "Intensity" in ax.get_ylabel()
    line = next(ln for ln in ax.get_lines() if ln.get_label() == "intensity in each 10 s window")
    x, y = line.get_data()
    assert list(x) == [(w.start_s + w.end_s) / 2 for w in windows]  # one point per window, at its centre
    assert math.isnan(y[1]) and y[0] == 2.0  # a window with too little voicing is a gap, not a zero
    words = [t.get_text() for t in ax.texts]
    assert words == ["calm", "engaged", "intense"]


@pytest.mark.skipif(cjk_font() is None, reason="no CJK font (apt-get install fonts-noto-cjk)")
def test_chinese_figure_has_chinese_title_and_legends(analysis):
    fig = main_figure(analysis, lang="zh")
    assert "语调" in fig.get_suptitle() and "目标" in fig.get_suptitle()
    assert any("越深越平" in t.get_text() for t in fig.axes[0].get_legend().get_texts())
