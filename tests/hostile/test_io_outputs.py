"""Hostile `--output`/`--transcript` targets: each written in place, written atomically, or
refused in one line (exit 2); never a traceback, a replaced device or link, a lost input, a
half-written file or a temp file left behind."""

from __future__ import annotations

import fcntl
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.io_cases import Case, both, run_case, write

IS_ROOT = os.geteuid() == 0
ANSWERS = ["--answer", "platform=macos", "--answer", "packaging=sysex", "--answer", "app_location=elsewhere"]
DIAGNOSE = ["diagnose", *ANSWERS, "--format", "json"]


def diagnose_to(target: str, *extra: str) -> list[str]:
    return [*DIAGNOSE, "--output", target, *extra]


# ---- setups -------------------------------------------------------------------------------


def existing(name: str, mode: int, owner: int | None = None):
    def setup(folder: Path) -> None:
        path = folder / name
        path.write_text("old\n")
        path.chmod(mode)
        if owner is not None:
            os.chown(path, owner, owner)

    return setup


def link(name: str, target: str, owner: int | None = None):
    def setup(folder: Path) -> None:
        where = folder / name
        where.parent.mkdir(parents=True, exist_ok=True)
        where.symlink_to(target.replace("{d}", str(folder)))
        if owner is not None:
            os.lchown(where, owner, owner)

    return setup


def null_device(name: str):
    def setup(folder: Path) -> None:
        os.mknod(folder / name, stat.S_IFCHR | 0o666, os.makedev(1, 3))

    return setup


def full_device(name: str):
    def setup(folder: Path) -> None:
        os.mknod(folder / name, stat.S_IFCHR | 0o666, os.makedev(1, 7))

    return setup


def fifo(name: str, read: bool):
    def setup(folder: Path) -> None:
        os.mkfifo(folder / name)
        if read:
            threading.Thread(target=lambda: (folder / "fifo.out").write_bytes((folder / name).read_bytes()), daemon=True).start()

    return setup


def folder_of(name: str, mode: int = 0o755):
    def setup(folder: Path) -> None:
        (folder / name).mkdir()
        (folder / name).chmod(mode)

    return setup


def stale_temp(folder: Path) -> None:
    (folder / ".r.json.99999.deadbeef.advisor-tmp").write_text("half a report")
    (folder / ".r.json.advisor-lock").write_text("99999\n")


HOLDERS: dict[str, subprocess.Popen[bytes]] = {}


def held_lock(folder: Path) -> None:
    """Another advisor is writing r.json right now: a process holding its lock."""
    lock = folder / ".r.json.advisor-lock"
    code = (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(lock)!r}, os.O_RDWR | os.O_CREAT, 0o600)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\nos.write(fd, str(os.getpid()).encode())\nprint('held', flush=True)\ntime.sleep(120)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"held\n"
    HOLDERS[str(folder)] = proc


def zip_app(folder: Path) -> None:
    import zipfile

    with zipfile.ZipFile(folder / "App.zip", "w") as z:
        z.writestr("App.app/Contents/Info.plist", "<plist></plist>")


# ---- checks -------------------------------------------------------------------------------


def mode_is(name: str, mode: int, owner: int | None = None):
    def check(folder: Path, run: Any) -> None:
        st = (folder / name).stat()
        assert stat.S_IMODE(st.st_mode) == mode, oct(st.st_mode)
        if owner is not None:
            assert st.st_uid == owner

    return check


def still_link(name: str, to: str, written: str | None = None):
    def check(folder: Path, run: Any) -> None:
        assert (folder / name).is_symlink() and os.readlink(folder / name) == to.replace("{d}", str(folder))
        if written is not None:
            json.loads((folder / written).read_text())

    return check


def still(name: str, kind: str):
    def check(folder: Path, run: Any) -> None:
        mode = (folder / name).lstat().st_mode
        assert {"chr": stat.S_ISCHR, "fifo": stat.S_ISFIFO}[kind](mode)

    return check


def json_on_stdout(folder: Path, run: Any) -> None:
    assert json.loads(run.stdout)["diagnoses"][0]["id"] == "sysex-not-in-applications"
    assert not (folder / "-").exists()


def transcript_on_stdout(folder: Path, run: Any) -> None:
    assert run.out.startswith("advisor_transcript: 1\n") and not (folder / "-").exists()


def fifo_got_report(folder: Path, run: Any) -> None:
    for _ in range(200):
        if (folder / "fifo.out").exists() and (folder / "fifo.out").stat().st_size:
            break
        threading.Event().wait(0.05)
    json.loads((folder / "fifo.out").read_text())


def nothing_hidden(folder: Path, run: Any) -> None:
    assert [p for p in os.listdir(folder) if p.startswith(".")] == []


def release_holder(folder: Path, run: Any) -> None:
    proc = HOLDERS.pop(str(folder))
    proc.kill()
    proc.wait()
    assert (folder / ".r.json.advisor-lock").exists() and not (folder / "r.json").exists()  # the holder's lock, left alone


def files_are(*names: str):
    def check(folder: Path, run: Any) -> None:
        assert sorted(p.name for p in folder.iterdir()) == sorted(names)

    return check


# ---- the cases ----------------------------------------------------------------------------

LONG = "r" * 245 + ".json"
TOO_LONG = "r" * 300 + ".json"
NO_TOOLS = {"env": {"PATH": "/nonexistent"}}

CASES = [
    Case("new-file", diagnose_to("{d}/r.json"), codes=(0,), output="r.json"),
    Case("existing-0644-kept", diagnose_to("{d}/r.json"), existing("r.json", 0o644), (0,), output="r.json", check=mode_is("r.json", 0o644)),
    Case("existing-0600-kept", diagnose_to("{d}/r.json"), existing("r.json", 0o600), (0,), output="r.json", check=mode_is("r.json", 0o600)),
    Case("existing-0640-other-owner", diagnose_to("{d}/r.json"), existing("r.json", 0o640, 65534), (0,), output="r.json",
         check=mode_is("r.json", 0o640, 65534), skip=None if IS_ROOT else "chown needs root"),
    Case("read-only-existing", diagnose_to("{d}/r.json"), existing("r.json", 0o444), (0,) if IS_ROOT else (2,), output="r.json",
         message="" if IS_ROOT else "is read-only"),
    Case("parent-missing", diagnose_to("{d}/a/b/c/r.json"), codes=(0,), output="a/b/c/r.json"),
    Case("parent-is-a-file", diagnose_to("{d}/f/r.json"), write("f", "x"), inputs=["f"], message="cannot write"),
    Case("a-folder", diagnose_to("{d}"), message="is a folder"),
    Case("dot", diagnose_to("."), message="is a folder"),
    Case("empty-name", diagnose_to(""), message="the file name is empty"),
    Case("newline-in-name", diagnose_to("{d}/r\nx.json"), codes=(0,), output="r\nx.json"),
    Case("escape-in-name", diagnose_to("{d}/r\x1b[31m.json"), codes=(0,), output="r\x1b[31m.json"),
    Case("name-250", diagnose_to("{d}/" + LONG), codes=(0,), output=LONG),
    Case("name-too-long", diagnose_to("{d}/" + TOO_LONG), message="too long"),
    Case("own-link", diagnose_to("{d}/r.json"), link("r.json", "{d}/real.json"), (0,), output="real.json",
         check=still_link("r.json", "{d}/real.json", "real.json")),
    Case("own-relative-link", diagnose_to("{d}/r.json"), both(folder_of("sub"), link("r.json", "sub/real.json")), (0,), output="sub/real.json",
         check=still_link("r.json", "sub/real.json")),
    Case("link-chain", diagnose_to("{d}/a.json"), both(link("a.json", "{d}/b.json"), link("b.json", "{d}/c.json")), (0,), output="c.json",
         check=still_link("a.json", "{d}/b.json")),
    Case("dangling-link-into-missing-folder", diagnose_to("{d}/r.json"), link("r.json", "{d}/missing/real.json"), message="cannot write; not followed"),
    Case("link-loop", diagnose_to("{d}/a.json"), both(link("a.json", "{d}/b.json"), link("b.json", "{d}/a.json")), message="too many levels"),
    Case("link-by-another-user", diagnose_to("{d}/r.json"), both(existing("victim", 0o644), link("r.json", "{d}/victim", owner=65534)),
         inputs=["victim", "r.json"], message="link made by another user", skip=None if IS_ROOT else "lchown needs root"),
    Case("link-to-a-device", diagnose_to("{d}/r.json"), both(null_device("null"), link("r.json", "{d}/null")), (0,),
         check=still("null", "chr"), skip=None if IS_ROOT else "mknod needs root"),
    Case("device", diagnose_to("{d}/null"), null_device("null"), (0,), check=still("null", "chr"), skip=None if IS_ROOT else "mknod needs root"),
    Case("device-as-transcript", [*diagnose_to("{d}/r.json"), "--transcript", "{d}/null"], null_device("null"), (0,), output="r.json",
         check=still("null", "chr"), skip=None if IS_ROOT else "mknod needs root"),
    Case("device-for-both", [*diagnose_to("{d}/null"), "--transcript", "{d}/null"], null_device("null"), (0,), check=still("null", "chr"),
         skip=None if IS_ROOT else "mknod needs root"),
    Case("fifo-read", diagnose_to("{d}/pipe"), fifo("pipe", read=True), (0,), check=lambda d, r: (still("pipe", "fifo")(d, r), fifo_got_report(d, r))),
    Case("fifo-unread", diagnose_to("{d}/pipe"), fifo("pipe", read=False), message="nothing is reading", check=still("pipe", "fifo")),
    # As root, a broken writer would replace the machine's /dev/full: a private copy then.
    Case("full-device", diagnose_to("{d}/full" if IS_ROOT else "/dev/full"), full_device("full") if IS_ROOT else None, message="No space left"),
    Case("dev-fd-1", diagnose_to("/dev/fd/1"), codes=(0,), check=json_on_stdout),
    Case("proc-self-fd-1", diagnose_to("/proc/self/fd/1"), codes=(0,), check=json_on_stdout),
    Case("dash", diagnose_to("-"), codes=(0,), check=json_on_stdout),
    Case("closed-descriptor", diagnose_to("/dev/fd/99"), message="file descriptor 99 is closed"),
    Case("read-only-descriptor", diagnose_to("/dev/fd/0"), message="cannot write", run={"stdin": b""}),
    Case("closed-stdout-dash", diagnose_to("-"), message="standard output is closed", run={"close_stdout": True}),
    Case("closed-stdout-default", DIAGNOSE, message="standard output is closed", run={"close_stdout": True}),
    Case("proc-file", diagnose_to("/proc/version"), message="cannot write"),
    Case("stale-temp-and-lock", diagnose_to("{d}/r.json"), stale_temp, (0,), output="r.json", check=nothing_hidden),
    Case("held-lock", diagnose_to("{d}/r.json"), held_lock, message="is writing this file now", check=release_holder),
    Case("same-as-log", diagnose_to("{d}/ne.log", "--log", "{d}/ne.log"), write("ne.log", "Signature check failed\n"), inputs=["ne.log"], message="same file"),
    Case("same-as-app-zip", diagnose_to("{d}/App.zip", "--app", "{d}/App.zip"), zip_app, inputs=["App.zip"], message="same file"),
    Case("transcript-same-as-output", diagnose_to("{d}/r.json", "--transcript", "{d}/r.json"), message="same file", check=files_are()),
    Case("transcript-hardlinked-to-output", diagnose_to("{d}/r.json", "--transcript", "{d}/t.yaml"),
         both(existing("r.json", 0o644), lambda d: os.link(d / "r.json", d / "t.yaml")), inputs=["r.json", "t.yaml"], message="same file"),
    Case("both-on-stdout", diagnose_to("-", "--transcript", "-"), message="same file"),
    Case("transcript-dash-report-default", [*DIAGNOSE, "--transcript", "-"], message="same file"),
    Case("transcript-dash", diagnose_to("{d}/r.json", "--transcript", "-"), codes=(0,), output="r.json", check=transcript_on_stdout),
    Case("report-dash", ["report", "{d}/t.yaml", "--output", "-"], write("t.yaml", "advisor_transcript: 1\nanswers: {platform: macos}\n"), (0,), inputs=["t.yaml"]),
    Case("collect-dash", ["collect", "--output", "-"], codes=(0,), run=NO_TOOLS, check=transcript_on_stdout),
    Case("collect-folder", ["collect", "--output", "{d}"], message="is a folder", run=NO_TOOLS),
    Case("collect-same-as-log", ["collect", "--log", "{d}/ne.log", "--output", "{d}/ne.log"], write("ne.log", "x\n"), inputs=["ne.log"], message="same file", run=NO_TOOLS),
    Case("collect-new", ["collect", "--output", "{d}/c.yaml"], codes=(0,), output="c.yaml", run=NO_TOOLS),
    Case("read-only-folder", diagnose_to("{d}/ro/r.json"), folder_of("ro", 0o555), message="cannot write", skip="root writes anywhere" if IS_ROOT else None),
]


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_hostile_outputs(case: Case, tmp_path: Path) -> None:
    try:
        run_case(case, tmp_path)
    finally:
        holder = HOLDERS.pop(str(tmp_path), None)
        if holder is not None:
            holder.kill()
            holder.wait()


def test_the_outputs_family_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert fcntl.LOCK_EX  # the lock the writers take is the one held_lock takes
