"""The output layer: no user file is ever lost, every write failure is one line, destinations are checked
before the work."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, ROOT
from nlp_coder.cli.common import app
from nlp_coder.output import OutputError, file_output, write_atomic

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def one_error_line(result) -> str:
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("nlp-coder: error:"), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def subprocess_cli(*args, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "nlp_coder", *map(str, args)], env=env, capture_output=False, **kwargs
    )


# --- 1. train -o never deletes what is not a model ---------------------------------------------------


def test_train_refuses_a_folder_with_a_users_file_and_leaves_it(tmp_path):
    from test_learning import toy_corpus

    manifest = toy_corpus(tmp_path)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("three years of work", encoding="utf-8")
    result = run("train", manifest, "-o", mine)
    assert result.exit_code == 2
    assert "not an nlp-coder model folder" in one_error_line(result)
    assert (mine / "thesis.tex").read_text(encoding="utf-8") == "three years of work"
    assert sorted(p.name for p in mine.iterdir()) == ["thesis.tex"]


def test_train_refuses_the_working_folder(tmp_path, monkeypatch):
    from test_learning import toy_corpus

    manifest = toy_corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run("train", manifest, "-o", ".")
    assert result.exit_code == 2 and sorted(p.name for p in tmp_path.iterdir()) == before


def test_train_replaces_a_model_folder_whole(tmp_path):
    from nlp_coder.learn.train import train
    from test_learning import toy_corpus

    manifest = toy_corpus(tmp_path)
    out = train([manifest], tmp_path / "m", seed=1, name="toy")
    (out / "weights" / "stale.npy").write_bytes(b"old")  # a file the new model does not have
    result = run("train", manifest, "-o", out)
    assert result.exit_code == 0, result.output
    assert not (out / "weights" / "stale.npy").exists()
    assert json.loads((out / "meta.json").read_text(encoding="utf-8"))["format"] == "nlp-coder-model/1"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".m.")]  # nothing left beside it


def test_train_checks_the_output_before_training(tmp_path, monkeypatch):
    import nlp_coder.learn.train as train_module
    from test_learning import toy_corpus

    manifest = toy_corpus(tmp_path)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine", encoding="utf-8")

    def no_training(*args, **kwargs):
        raise AssertionError("training started before the output was checked")

    monkeypatch.setattr(train_module, "collect", no_training)
    with pytest.raises(OutputError, match="not an nlp-coder model folder"):
        train_module.train([manifest], tmp_path / "busy")


# --- 2. modes follow the umask; a replaced file keeps its mode ---------------------------------------


def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(tmp_path):
    old = os.umask(0o022)
    try:
        fresh = write_atomic(tmp_path / "a.txt", "one\n")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
        kept = tmp_path / "b.txt"
        kept.write_text("old\n", encoding="utf-8")
        kept.chmod(0o640)
        write_atomic(kept, "new\n")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_text(encoding="utf-8") == "new\n"
        os.umask(0o027)
        assert stat.S_IMODE(write_atomic(tmp_path / "c.txt", "x").stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_model_folders_follow_the_umask(tmp_path):
    from nlp_coder.learn.train import train
    from test_learning import toy_corpus

    manifest = toy_corpus(tmp_path)
    old = os.umask(0o022)
    try:
        out = train([manifest], tmp_path / "m", seed=0, name="toy")
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "meta.json").stat().st_mode) == 0o644


# --- 3. write failures are one line, in every command, and a batch goes on ---------------------------


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES, errno.ENOSPC])
def test_write_failures_are_one_line(tmp_path, monkeypatch, code):
    real_open = os.open

    def failing_open(path, flags, *args):
        if str(path).endswith(".tmp"):
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", failing_open)
    result = run("segment", EXAMPLE, "-o", tmp_path / "parts.txt")
    assert result.exit_code == 2
    assert os.strerror(code) in one_error_line(result)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "args",
    [
        ["codebook"],
        ["segment", EXAMPLE],
        ["draft", EXAMPLE, "--rules-only"],
    ],
)
def test_unwritable_destinations_fail_before_the_work(tmp_path, args):
    for target in ["/proc/no-such-folder/out.txt", tmp_path / "missing" / "out.txt", EXAMPLE / "x"]:
        result = run(*args, "-o", target)
        assert result.exit_code == 2, (target, result.output)
        one_error_line(result)


def test_a_full_disk_on_stdout_is_one_line():
    with open("/dev/full", "w") as full:
        proc = subprocess_cli("codebook", stdout=full, stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert lines == ["nlp-coder: error: cannot write to standard output (No space left on device)"]


def test_a_closed_pipe_on_stdout_is_one_line():
    reader, writer = os.pipe()
    os.close(reader)
    try:
        proc = subprocess_cli("codebook", stdout=writer, stderr=subprocess.PIPE, text=True)
    finally:
        os.close(writer)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "pipe" in proc.stderr


def test_a_failed_write_in_a_batch_does_not_stop_the_others(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (src / name).write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (out / "b.csv").mkdir(parents=True)  # b's output cannot be written: a folder stands there
    result = run("draft", src, "-o", out, "-f", "csv", "--rules-only")
    assert result.exit_code == 1
    assert "b.txt" in result.stderr and "drafted 2 of 3 treaties" in result.stderr
    assert (out / "a.csv").is_file() and (out / "c.csv").is_file() and (out / "b.csv").is_dir()


# --- 4. special files, links and "-" -----------------------------------------------------------------


def test_dash_means_stdout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("codebook", "-f", "json", "-o", "-")
    assert result.exit_code == 0 and json.loads(result.stdout)["questions"]
    assert not (tmp_path / "-").exists()


def test_a_device_is_written_into_not_replaced():
    result = run("codebook", "-o", "/dev/null")
    assert result.exit_code == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_symlink_is_never_replaced_or_followed(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("precious\n", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    result = run("codebook", "-o", link)
    assert result.exit_code == 2 and "symbolic link" in one_error_line(result)
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "precious\n"
    with pytest.raises(OutputError, match="symbolic link"):
        write_atomic(link, "x")


def test_a_fifo_is_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    dest = file_output(fifo)
    assert dest.stream and dest.path == fifo
    with pytest.raises(OutputError, match="special file"):
        write_atomic(fifo, "x")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


# --- 5. batches never collide and never write into their input ---------------------------------------


def test_batch_outputs_keep_the_suffix_where_stems_clash(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    text = EXAMPLE.read_text(encoding="utf-8")
    (src / "t1.txt").write_text(text, encoding="utf-8")
    (src / "t1.md").write_text(text, encoding="utf-8")
    (src / "t2.txt").write_text(text, encoding="utf-8")
    result = run("draft", src, "-o", tmp_path / "out", "--rules-only")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["t1.md.sheet.txt", "t1.txt.sheet.txt", "t2.sheet.txt"]


def test_the_output_folder_may_not_be_the_input_folder(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "t.txt").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("draft", src, "-o", src, "--rules-only")
    assert result.exit_code == 2 and "input folder" in one_error_line(result)
    assert sorted(p.name for p in src.iterdir()) == ["t.txt"]


# --- 7. destinations are checked before the work -----------------------------------------------------


def test_draft_checks_the_output_before_drafting(tmp_path, monkeypatch):
    import nlp_coder.drafting.drafter as draft_module

    def no_drafting(*args, **kwargs):
        raise AssertionError("drafted before the output was checked")

    monkeypatch.setattr(draft_module, "draft_treaty", no_drafting)
    result = run("draft", EXAMPLE, "-o", tmp_path / "no" / "such" / "draft.txt")
    assert result.exit_code == 2 and "does not exist" in one_error_line(result)
    src = tmp_path / "in"
    src.mkdir()
    (src / "t.txt").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    result = run("draft", src, "-o", tmp_path / "a-file")
    assert result.exit_code == 2 and "not a folder" in one_error_line(result)


def test_evaluate_checks_the_report_folder_before_drafting(tmp_path):
    from test_learning import toy_corpus

    manifest = toy_corpus(tmp_path)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "summary.md").write_text("my own summary", encoding="utf-8")
    result = run("evaluate", manifest, "-o", busy)
    assert result.exit_code == 2 and "not an nlp-coder report folder" in one_error_line(result)
    assert (busy / "summary.md").read_text(encoding="utf-8") == "my own summary"


# --- 10. the size guard ------------------------------------------------------------------------------


def test_texts_above_the_size_limit_ask_for_max_size(tmp_path):
    result = run("draft", EXAMPLE, "--max-size", "0.001", "--rules-only")
    assert result.exit_code == 2
    line = one_error_line(result)
    assert "--max-size 1 or more" in line and "would take about" in line
    assert run("draft", EXAMPLE, "--max-size", "1", "--rules-only").exit_code == 0
