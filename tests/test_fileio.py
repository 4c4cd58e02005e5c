"""The output gate: what write_atomic refuses, and reading only regular files."""

from __future__ import annotations

import os
import socket
import stat
import threading

import pytest

from tonecheck.errors import TonecheckError
from tonecheck.fileio import ProtectedFiles, check_output_path, open_regular, regular_file_problem, write_atomic


def _char_device(path):
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a copy of /dev/null, inside tmp_path
    except PermissionError:
        pytest.skip("creating a device node needs root")
    return path


def _socket(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    return sock


@pytest.fixture
def hostile(tmp_path):
    """Existing non-regular outputs, by kind."""
    (tmp_path / "folder").mkdir()
    _char_device(tmp_path / "null")
    os.mkfifo(tmp_path / "pipe")
    sock = _socket(tmp_path / "sock")
    os.symlink(tmp_path / "pipe", tmp_path / "to-pipe.html")
    os.symlink(tmp_path / "null", tmp_path / "to-null.html")
    os.symlink("loop.html", tmp_path / "loop.html")
    yield tmp_path
    sock.close()


@pytest.mark.parametrize(
    "name, expected",
    [
        ("folder", "is a directory, not an output file"),
        ("null", "is a character device, not an output file"),
        ("pipe", "is a FIFO, not an output file"),
        ("sock", "is a socket, not an output file"),
        ("to-pipe.html", "is a FIFO, not an output file"),
        ("to-null.html", "is a character device, not an output file"),
        ("loop.html", "symbolic link loop"),
    ],
)
def test_non_regular_outputs_are_refused_and_left_alone(hostile, name, expected):
    path = hostile / name
    before = os.lstat(path)
    with pytest.raises(TonecheckError, match=expected) as info:
        write_atomic(path, "<html></html>")
    assert "\n" not in str(info.value) and str(info.value).startswith(str(path))
    after = os.lstat(path)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert not [p for p in hostile.iterdir() if p.name.endswith(".part")]


def test_an_input_recording_is_never_replaced(tmp_path):
    rec = tmp_path / "call.wav"
    rec.write_bytes(b"RIFF....WAVE")
    os.link(rec, tmp_path / "hard.html")
    os.symlink(rec, tmp_path / "soft.html")
    for out in ("call.wav", "hard.html", "soft.html"):
        with pytest.raises(TonecheckError, match="is an input recording"):
            write_atomic(tmp_path / out, "x", protect=[rec])
    assert rec.read_bytes() == b"RIFF....WAVE"
    assert (tmp_path / "hard.html").read_bytes() == b"RIFF....WAVE"


def test_an_existing_recording_is_refused_even_unprotected(tmp_path):
    other = tmp_path / "other.MP3"
    other.write_bytes(b"ID3")
    with pytest.raises(TonecheckError, match=r"is an existing recording \(\.mp3 file\)"):
        write_atomic(other, "<html>")
    os.symlink(other, tmp_path / "link.html")
    with pytest.raises(TonecheckError, match="existing recording"):
        write_atomic(tmp_path / "link.html", "<html>")
    assert other.read_bytes() == b"ID3"


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_name_is_an_error(name):
    with pytest.raises(TonecheckError, match="output file name is empty"):
        check_output_path(name)


def test_name_too_long_and_missing_folder_are_one_line_errors(tmp_path):
    with pytest.raises(TonecheckError, match="longer than the file system allows"):
        check_output_path(tmp_path / ("r" * 300 + ".html"))
    with pytest.raises(TonecheckError, match="does not exist"):
        write_atomic(tmp_path / "missing" / "r.html", "x")
    (tmp_path / "file").write_text("x")
    with pytest.raises(TonecheckError, match="not a folder|is a file"):
        write_atomic(tmp_path / "file" / "r.html", "x")


def test_a_long_name_that_fits_is_written(tmp_path):
    path = tmp_path / ("r" * 250 + ".html")  # 255 bytes: the temporary name must still fit
    write_atomic(path, "ok")
    assert path.read_text() == "ok"


def test_regular_files_are_replaced_atomically_and_links_replaced_not_followed(tmp_path):
    out = tmp_path / "report.html"
    out.write_text("old")
    write_atomic(out, "new")
    assert out.read_text() == "new" and oct(out.stat().st_mode & 0o777) == "0o644"
    target = tmp_path / "target.html"
    target.write_text("kept")
    os.symlink(target, tmp_path / "link.html")
    write_atomic(tmp_path / "link.html", "written")
    assert target.read_text() == "kept" and (tmp_path / "link.html").read_text() == "written"
    assert not (tmp_path / "link.html").is_symlink()
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling.html")
    write_atomic(tmp_path / "dangling.html", "fine")
    assert not (tmp_path / "nowhere").exists()


def test_protected_files_plus():
    protect = ProtectedFiles([__file__]).plus([os.path.dirname(__file__)])
    assert len(protect) == 2 and os.stat(__file__) in protect


def test_open_regular_never_blocks_on_a_fifo_or_reads_a_device(tmp_path):
    os.mkfifo(tmp_path / "x.wav")
    os.symlink(_char_device(tmp_path / "zero"), tmp_path / "z.wav")
    os.symlink("gone.wav", tmp_path / "dangling.wav")
    outcome = {}

    def attempt():
        for name in ("x.wav", "z.wav", "dangling.wav"):
            try:
                open_regular(tmp_path / name)
            except TonecheckError as exc:
                outcome[name] = str(exc)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "open_regular blocked"
    assert "is a FIFO, not a recording" in outcome["x.wav"]
    assert "is a character device, not a recording" in outcome["z.wav"]
    assert "broken symbolic link" in outcome["dangling.wav"]
    assert regular_file_problem(tmp_path / "zero") == "is a character device"
