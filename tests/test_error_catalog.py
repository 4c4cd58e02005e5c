"""Loader errors carry their catalog message from where they are raised,
so the command line shows them in the report language (no text matching)."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from tonecheck.audio import load_audio
from tonecheck.cli import cli
from tonecheck.errors import TonecheckError
from tonecheck.messages import render


def _fifo(tmp_path):
    path = tmp_path / "pipe.wav"
    os.mkfifo(path)
    return path


def _missing(tmp_path):
    return tmp_path / "missing.wav"


def _folder(tmp_path):
    path = tmp_path / "folder.wav"
    path.mkdir()
    return path


def _empty(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    return path


def _broken_link(tmp_path):
    path = tmp_path / "link.wav"
    path.symlink_to(tmp_path / "gone.wav")
    return path


def _looping_link(tmp_path):
    path = tmp_path / "loop.wav"
    path.symlink_to(path)
    return path


def _not_audio(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_bytes(b"this is a shopping list, not a recording\n" * 20)
    return path


CASES = [
    (_fifo, "error.fifo", "FIFO"),
    (_missing, "error.no_such_file", "no such file"),
    (_folder, "error.folder", "folder"),
    (_empty, "error.empty_file", "empty"),
    (_broken_link, "error.broken_link", "broken link"),
    (_looping_link, "error.link_loop", "loops"),
    (_not_audio, "error.not_audio", "not a readable audio file"),
]


@pytest.mark.parametrize(("make", "key", "english"), CASES, ids=[c[1] for c in CASES])
def test_loader_error_carries_its_catalog_message(tmp_path, make, key, english):
    path = make(tmp_path)
    with pytest.raises(TonecheckError, match=english) as info:
        load_audio(path)
    assert info.value.message is not None and info.value.message.key == key
    assert render(info.value.message, "en") == str(info.value)


@pytest.mark.parametrize(("make", "key", "english"), CASES, ids=[c[1] for c in CASES])
def test_cli_shows_loader_errors_in_chinese(tmp_path, make, key, english):
    path = make(tmp_path)
    with pytest.raises(TonecheckError) as info:
        load_audio(path)
    result = CliRunner().invoke(cli, ["analyze", str(path), "--lang", "zh"])
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1, line
    assert line == "错误：" + render(info.value.message, "zh"), line
    assert str(info.value).split(": ", 1)[1] not in line  # not the English sentence
