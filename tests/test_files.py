"""negr2.files: atomic writes leave either the old file or the new one, never a temp."""

from __future__ import annotations

import os
import stat

import pytest

from negr2 import files


def test_atomic_path_success_writes_and_cleans_up(tmp_path):
    dest = tmp_path / "out.txt"
    with files.atomic_path(dest) as tmp:
        assert tmp.parent == tmp_path  # same folder: the rename is atomic
        assert tmp != dest
        assert not dest.exists()  # nothing visible until the block ends
        tmp.write_text("hello")
    assert dest.read_text() == "hello"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_atomic_path_replaces_existing_file(tmp_path):
    dest = tmp_path / "out.txt"
    dest.write_text("old")
    with files.atomic_path(dest) as tmp:
        tmp.write_text("new")
        assert dest.read_text() == "old"
    assert dest.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_atomic_path_error_keeps_old_file(tmp_path):
    dest = tmp_path / "out.txt"
    dest.write_text("old content")
    with pytest.raises(RuntimeError, match="writer died"), files.atomic_path(dest) as tmp:
        tmp.write_text("half-writ")
        raise RuntimeError("writer died")
    assert dest.read_text() == "old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_atomic_path_error_without_old_file_leaves_nothing(tmp_path):
    dest = tmp_path / "sub" / "out.bin"
    with pytest.raises(KeyboardInterrupt), files.atomic_path(dest) as tmp:
        tmp.write_bytes(b"partial")
        raise KeyboardInterrupt  # not an Exception subclass: still cleaned up
    assert not dest.exists()
    assert list((tmp_path / "sub").iterdir()) == []


def test_atomic_path_writer_that_never_writes(tmp_path):
    # The temp file exists (empty) from the start; the destination becomes empty.
    dest = tmp_path / "empty.txt"
    with files.atomic_path(dest):
        pass
    assert dest.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.txt"]


def test_atomic_path_accepts_str(tmp_path):
    dest = str(tmp_path / "s.txt")
    with files.atomic_path(dest) as tmp:
        tmp.write_text("x")
    assert (tmp_path / "s.txt").read_text() == "x"


def test_write_text_creates_parents_and_uses_utf8(tmp_path):
    dest = tmp_path / "a" / "b" / "c.txt"
    files.write_text(dest, "R² ≥ 0 — naïve\n")
    assert dest.read_bytes() == "R² ≥ 0 — naïve\n".encode()
    assert sorted(p.name for p in dest.parent.iterdir()) == ["c.txt"]


def test_two_writers_to_one_folder_do_not_collide(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    with files.atomic_path(a) as tmp_a, files.atomic_path(b) as tmp_b:
        assert tmp_a != tmp_b
        tmp_a.write_text("A")
        tmp_b.write_text("B")
    assert a.read_text() == "A" and b.read_text() == "B"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_atomic_write_gives_the_usual_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        target = tmp_path / "out.txt"
        files.write_text(target, "x")
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
    finally:
        os.umask(mask)
