"""Where outputs go (issue 12, items 2, 6, 10, 18 and 19): devices, FIFOs and standard output in
place, regular files atomically and with their mode, links only when safe, never onto an input
or another output, one writer at a time, and no temp file left behind by a killed writer."""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.hostile.io_support import Snapshot, advisor_env, assert_clean, hidden_leftovers, run_advisor

ANSWERS = ["--answer", "platform=macos", "--answer", "packaging=sysex", "--answer", "app_location=elsewhere"]
IS_ROOT = os.geteuid() == 0


def _diagnose(tmp_path: Path, *extra: str, **kw):
    return run_advisor("diagnose", *ANSWERS, *extra, cwd=tmp_path, **kw)


def _transcript(tmp_path: Path) -> Path:
    path = tmp_path / "session.yaml"
    r = _diagnose(tmp_path, "--format", "json", "--output", str(tmp_path / "first.json"), "--transcript", str(path))
    assert_clean(r, 0)
    return path


# ---- devices, FIFOs and descriptors: written in place --------------------------------------


@pytest.mark.skipif(not IS_ROOT, reason="making a device node needs root")
def test_a_device_stays_a_device(tmp_path: Path) -> None:
    """As root, write-then-rename turned `--output /dev/null` into a regular file. This is a
    private copy of /dev/null, so the test can never damage the real one."""
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    for args in (["--output", str(null)], ["--output", str(tmp_path / "r.txt"), "--transcript", str(null)]):
        r = _diagnose(tmp_path, *args)
        assert_clean(r, 0)
        assert stat.S_ISCHR(null.lstat().st_mode), "the device was replaced"


def test_a_fifo_is_written_in_place_and_one_nobody_reads_is_an_error(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    r = _diagnose(tmp_path, "--format", "json", "--output", str(fifo))
    reader.join(30)
    assert_clean(r, 0)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert json.loads(got[0])["diagnoses"][0]["id"] == "sysex-not-in-applications"
    r = _diagnose(tmp_path, "--output", str(fifo))  # nobody reads now: an error, not a hang
    assert_clean(r, 2)
    assert "nothing is reading" in r.stderr


@pytest.mark.parametrize("name", ["/dev/fd/1", "/proc/self/fd/1", "/dev/stdout", "-"])
def test_standard_output_by_any_name_is_written_in_place(tmp_path: Path, name: str) -> None:
    if name == "/dev/stdout" and IS_ROOT:
        pytest.skip("as root a broken writer would replace the machine's /dev/stdout; /dev/fd/1 covers it")
    if not Path(name.replace("self", str(os.getpid()))).parent.exists() and name != "-":
        pytest.skip(f"{name} does not exist here")
    r = _diagnose(tmp_path, "--format", "json", "--output", name)
    assert_clean(r, 0)
    assert json.loads(r.stdout)["diagnoses"][0]["id"] == "sysex-not-in-applications"
    assert not (tmp_path / "-").exists()


def test_dash_is_standard_output_in_every_command(tmp_path: Path) -> None:
    session = _transcript(tmp_path)
    runs = {
        "diagnose": _diagnose(tmp_path, "--format", "json", "--output", "-"),
        "report": run_advisor("report", str(session), "--format", "json", "--output", "-", cwd=tmp_path),
        "--transcript": _diagnose(tmp_path, "--output", str(tmp_path / "r.txt"), "--transcript", "-"),
        "collect": run_advisor("collect", "--output", "-", cwd=tmp_path, env={"PATH": str(tmp_path / "none")}),
    }
    for what, r in runs.items():
        assert_clean(r, 0)
        assert r.stdout, what
    assert json.loads(runs["diagnose"].stdout)["diagnoses"] and json.loads(runs["report"].stdout)["diagnoses"]
    assert runs["--transcript"].out.startswith("advisor_transcript: 1\n")
    assert runs["collect"].out.startswith("advisor_transcript: 1\n")
    assert not (tmp_path / "-").exists(), "a file named - was written"


def test_two_outputs_on_standard_output_are_refused(tmp_path: Path) -> None:
    for extra in (["--transcript", "-"], ["--output", "-", "--transcript", "-"], ["--output", "/dev/fd/1", "--transcript", "-"]):
        r = _diagnose(tmp_path, *extra)
        assert_clean(r, 2)
        assert "is the same file as" in r.stderr and r.stdout == b""


def test_closed_standard_output_and_full_disk_are_one_line_errors(tmp_path: Path) -> None:
    r = _diagnose(tmp_path, "--output", "-", close_stdout=True)
    assert_clean(r, 2)
    assert "standard output is closed" in r.stderr
    if IS_ROOT:  # a private copy: as root, a broken writer would replace the machine's /dev/full
        full = tmp_path / "full"
        os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    else:
        full = Path("/dev/full")
    if full.exists():
        r = _diagnose(tmp_path, "--output", str(full))
        assert_clean(r, 2)
        assert "No space left" in r.stderr and stat.S_ISCHR(full.stat().st_mode)


# ---- never onto an input or another output ------------------------------------------------


def test_an_output_that_is_an_input_or_another_output_is_refused(tmp_path: Path) -> None:
    session = _transcript(tmp_path)
    log = tmp_path / "ne.log"
    log.write_text("Signature check failed: code failed to satisfy specified code requirement(s)\n")
    answers = tmp_path / "answers.yaml"
    answers.write_text("platform: macos\n")
    (tmp_path / "log-link").symlink_to(log)
    os.link(log, tmp_path / "log-hardlink")
    cases = [
        ("diagnose", "--log", str(log), "--output", str(log)),
        ("diagnose", "--from", str(session), "--output", str(session)),
        ("diagnose", "--answers", str(answers), "--output", str(answers)),
        ("diagnose", "--log", str(log), "--transcript", str(log), "--output", str(tmp_path / "r.txt")),
        ("report", str(session), "--output", str(session)),
        ("collect", "--log", str(log), "--output", str(log)),
        ("diagnose", "--log", str(log), "--output", str(tmp_path / "log-link")),
        ("diagnose", "--log", str(log), "--output", str(tmp_path / "log-hardlink")),
        ("diagnose", *ANSWERS, "--output", str(tmp_path / "x.md"), "--transcript", str(tmp_path / "x.md")),
        ("diagnose", *ANSWERS, "--output", str(tmp_path / "x.md"), "--transcript", str(tmp_path / "sub" / ".." / "x.md")),
    ]
    snap = Snapshot(session, log, answers, tmp_path / "log-link")
    for args in cases:
        r = run_advisor(*args, cwd=tmp_path, env={"PATH": str(tmp_path / "none")})
        assert_clean(r, 2)
        assert "is the same file as" in r.stderr, r.describe()
    assert snap.changed() == []
    assert not (tmp_path / "x.md").exists()


def test_the_log_read_from_standard_input_is_an_input_too(tmp_path: Path) -> None:
    log = tmp_path / "ne.log"
    log.write_text("Signature check failed\n")
    with log.open("rb") as fh:
        proc = subprocess.run(
            [sys.executable, "-m", "advisor", "diagnose", "--log", "-", "--output", str(log)],
            stdin=fh, capture_output=True, cwd=tmp_path, env=advisor_env(), timeout=60,
        )
    assert proc.returncode == 2 and b"is the same file as --log -" in proc.stderr
    assert log.read_text() == "Signature check failed\n"


# ---- regular files: atomic, mode kept, links followed only when safe ----------------------


def test_an_existing_file_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path: Path) -> None:
    shared = tmp_path / "shared.md"
    shared.write_text("old")
    shared.chmod(0o664)
    assert_clean(_diagnose(tmp_path, "--format", "markdown", "--output", str(shared)), 0)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664 and shared.read_text().startswith("# advisor report")
    r = run_advisor(
        "diagnose", *ANSWERS, "--output", str(tmp_path / "new.md"), cwd=tmp_path,
        python=[sys.executable, "-c", "import os, sys; os.umask(0o022); from advisor.cli import main; sys.exit(main(sys.argv[1:]))"],
    )
    assert_clean(r, 0)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o644


def test_a_link_of_ones_own_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "latest.md"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "report.md"
    link.symlink_to(target)
    assert_clean(_diagnose(tmp_path, "--format", "markdown", "--output", str(link)), 0)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text().startswith("# advisor report")
    assert hidden_leftovers(tmp_path) == [] and hidden_leftovers(target.parent) == []


@pytest.mark.skipif(not IS_ROOT, reason="giving a link to another user needs root")
def test_a_link_made_by_another_user_is_not_followed(tmp_path: Path) -> None:
    """The /tmp attack: someone else's link pointing at a file of yours (or root's)."""
    victim = tmp_path / "victim.conf"
    victim.write_text("precious\n")
    link = tmp_path / "report.md"
    link.symlink_to(victim)
    os.lchown(link, 65534, 65534)
    snap = Snapshot(victim, link)
    r = _diagnose(tmp_path, "--output", str(link))
    assert_clean(r, 2)
    assert "link made by another user" in r.stderr
    assert snap.changed() == []


@pytest.mark.skipif(IS_ROOT, reason="root may write anywhere; the other-user link test covers root")
def test_a_link_into_a_folder_one_cannot_write_is_not_followed(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "file.md").write_text("theirs\n")
    locked.chmod(0o555)
    link = tmp_path / "report.md"
    link.symlink_to(locked / "file.md")
    try:
        r = _diagnose(tmp_path, "--output", str(link))
    finally:
        locked.chmod(0o755)
    assert_clean(r, 2)
    assert "where you cannot write" in r.stderr and link.is_symlink()


def test_a_folder_or_an_empty_name_is_refused(tmp_path: Path) -> None:
    for name in (str(tmp_path), ""):
        r = _diagnose(tmp_path, "--output", name)
        assert_clean(r, 2)


# ---- killed writers and concurrent writers ------------------------------------------------

HANG_ON_RENAME = (
    "import os, sys, time\n"
    "os.replace = lambda *a, **k: time.sleep(3600)  # killed between writing and renaming\n"
    "from advisor.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def test_the_next_write_removes_what_a_killed_writer_left(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    env = advisor_env()
    proc = subprocess.Popen(
        [sys.executable, "-c", HANG_ON_RENAME, "diagnose", *ANSWERS, "--format", "markdown", "--output", str(out)],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not [p for p in hidden_leftovers(tmp_path) if ".advisor-lock" not in p] and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert hidden_leftovers(tmp_path), "the killed writer left nothing: the test did not kill it mid-write"
    assert not out.exists()
    assert_clean(_diagnose(tmp_path, "--format", "markdown", "--output", str(out)), 0)
    assert out.read_text().startswith("# advisor report")
    assert hidden_leftovers(tmp_path) == []


WAIT_FOR_RELEASE = """#!/bin/sh
echo called >> '{calls}'
while [ ! -e '{release}' ]; do /bin/sleep 0.05; done
echo 'System Integrity Protection status: enabled.'
"""


def test_a_second_writer_of_the_same_output_is_refused_not_silently_overwritten(tmp_path: Path) -> None:
    """Four concurrent `collect --output same.yaml`: the first holds the output while its probe
    runs; the three others are refused at once (before the fix all four said "wrote")."""
    tools = tmp_path / "tools"
    tools.mkdir()
    calls, release = tmp_path / "calls", tmp_path / "release"
    (tools / "csrutil").write_text(WAIT_FOR_RELEASE.format(calls=calls, release=release))
    (tools / "csrutil").chmod(0o755)
    out = tmp_path / "same.yaml"
    env = advisor_env(PATH=str(tools))
    first = subprocess.Popen(
        [sys.executable, "-m", "advisor", "collect", "--describe", "first writer", "--output", str(out)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not calls.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert calls.exists(), "the first collect never ran its probe"
        others = [
            run_advisor("collect", "--describe", f"writer {i}", "--output", str(out), cwd=tmp_path, env={"PATH": str(tmp_path / "none")})
            for i in (2, 3, 4)
        ]
    finally:
        release.touch()
        _, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    for r in others:
        assert_clean(r, 2)
        assert "is writing this file now" in r.stderr
    text = out.read_text()
    assert "first writer" in text and "writer 2" not in text
    assert hidden_leftovers(tmp_path) == []


# ---- the writer itself --------------------------------------------------------------------


def test_a_write_that_fails_keeps_the_text_and_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from advisor import output_file

    target = tmp_path / "report.md"
    target.write_text("old report")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR is read again

    def full_disk(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output_file.os, "replace", full_disk)
    with pytest.raises(output_file.OutputError) as caught:
        output_file.write_output(target, "new report", "report")
    message = caught.value.message
    assert "No space left" in message and "the report was kept in" in message
    kept = Path(message.rsplit("kept in ", 1)[1].rstrip(")"))
    assert kept.read_text() == "new report" and target.read_text() == "old report"
    assert hidden_leftovers(tmp_path) == []


def test_the_tui_export_writes_through_the_same_writer(tmp_path: Path) -> None:
    from advisor.conversation.report_export import write_report
    from advisor.exit_status import UserError

    target = tmp_path / "kept.md"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "report.md"
    link.symlink_to(target)
    result = {"advisor_version": "1", "knowledge_version": "1", "diagnoses": [], "facts": {}, "asked": [], "unanswered": [], "probes": [], "log_matches": []}
    written = write_report(result, "markdown", link)
    assert written == target and link.is_symlink() and stat.S_IMODE(target.stat().st_mode) == 0o640
    with pytest.raises(UserError, match="is a folder"):
        write_report(result, "markdown", tmp_path)
