"""Writing what a command produces (reports, transcripts, saved sessions) without ever
clobbering something else. Every command and the TUI export write through here.

Where the bytes go depends on what the name points at:
* `-`, `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`: that open descriptor,
  written in place (never reopened, so `>> file` keeps appending and nothing is truncated);
* an existing device or FIFO (`/dev/null`, a named pipe): opened and written in place;
* a regular file, or a new name: written to a hidden temporary file beside it, then renamed
  over it, so a crash, a kill or a full disk leaves the old file or the new one, never half
  of one. A file that already existed keeps its permission bits (and, for root, its owner);
  one the user cannot write (read-only) is not replaced.
* through a symbolic link only when the link is the user's own (or root's) and its target is
  somewhere the user can write; otherwise the write is refused.

A file output is claimed before a command starts its work: an exclusive lock (a hidden
`.NAME.advisor-lock` beside it, removed when done) makes a second advisor writing the same
file refuse at once instead of silently replacing the first one's output; the claimant also
removes temporary files a killed writer left behind. Two outputs that are the same file, or an
output that is the same file as an input, are refused before any work (exit 2).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import select
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from advisor.exit_status import UserError

STDOUT = "-"
TEMP_SUFFIX = ".advisor-tmp"
LOCK_SUFFIX = ".advisor-lock"
_MAX_LINK_HOPS = 40
_NAME_ROOM = 100  # characters of the target's name kept in its temp and lock names
# Names that denote an already open descriptor: written in place, never reopened.
_FD_NAMES = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}
_FD_PATH = re.compile(r"^/(?:dev/fd|proc/self/fd|proc/" + str(os.getpid()) + r"/fd)/(\d+)$")


class OutputError(UserError):
    """An output that cannot be used or written, as one line naming it."""


class OutputKind(Enum):
    DESCRIPTOR = "descriptor"  # an open file descriptor (standard output...)
    STREAM = "stream"  # an existing device or FIFO, opened and written in place
    FILE = "file"  # a regular file (or a new one), replaced atomically


@dataclass
class Output:
    """One place a command writes, resolved and checked (see `resolve_output`)."""

    option: str  # how messages name it: "--output report.md"
    given: str  # the name as the user gave it
    kind: OutputKind
    path: Path | None = None  # STREAM/FILE: where the bytes go (links resolved)
    fd: int | None = None  # DESCRIPTOR
    identity: tuple[int, int] | None = None  # (st_dev, st_ino) when it exists already
    existing_mode: int | None = None  # FILE that existed: permission bits to keep
    existing_owner: tuple[int, int] | None = None  # FILE that existed: (uid, gid)
    private: bool = False  # a new FILE is readable by its owner only
    null_device: bool = False  # /dev/null (or a copy of it): any number of outputs may share it
    _lock: _Lock | None = field(default=None, repr=False)

    @property
    def shown(self) -> str:
        return "standard output" if self.given == STDOUT else self.given


# ---- resolving a name ----------------------------------------------------------------------


def _descriptor_of(path: str) -> int | None:
    if path in _FD_NAMES:
        return _FD_NAMES[path]
    m = _FD_PATH.match(path)
    return int(m.group(1)) if m else None


def _null_rdev() -> int | None:
    try:
        st = os.stat(os.devnull)
    except OSError:
        return None
    return st.st_rdev if stat.S_ISCHR(st.st_mode) else None


def _is_null(st: os.stat_result) -> bool:
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == _null_rdev()


def _follow_links(given: str, option: str) -> tuple[str, int | None]:
    """The path (or open descriptor) a name leads to, following the links of its last part
    under the link policy: each link owned by this user or root, at most 40 of them."""
    path = os.path.abspath(given)
    for _ in range(_MAX_LINK_HOPS):
        fd = _descriptor_of(path)
        if fd is not None:
            return path, fd
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return path, None
        except OSError as exc:
            raise OutputError(f"{option} {given}: cannot write there: {exc.strerror or exc}") from None
        if not stat.S_ISLNK(st.st_mode):
            return path, None
        if st.st_uid not in (os.geteuid(), 0):
            raise OutputError(f"{option}: {given} is a link made by another user; not followed (give the real file)")
        target = os.readlink(path)
        path = os.path.normpath(os.path.join(os.path.dirname(path), target))
    raise OutputError(f"{option}: {given}: too many levels of links")


def resolve_output(given: str, option: str = "--output", *, private: bool = False) -> Output:
    """Where `given` writes, checked before any work is done: OutputError (exit 2) when it is a
    folder, a socket, a FIFO nobody reads, a closed descriptor, or a link out of reach."""
    # Messages name the output as the user did: "--output report.md"; an option that is not a
    # flag ("the report (standard output)") is a description, used as it is.
    if not option:
        label = given
    elif option.startswith("-"):
        label = f"{option} {given}"
    else:
        label = option
    if given == "":
        raise OutputError(f"{option}: the file name is empty")
    if "\x00" in given:
        raise OutputError(f"{option}: the file name contains a NUL character")
    if given == STDOUT:
        return _descriptor_output(label, given, 1)
    path_text, fd = _follow_links(given, option)
    if fd is not None:
        return _descriptor_output(label, given, fd)
    linked = os.path.abspath(given) != path_text
    try:
        st: os.stat_result | None = os.stat(path_text)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"{label}: cannot write there: {exc.strerror or exc}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{label}: is a folder; give a file name")
    if st is not None and stat.S_ISSOCK(st.st_mode):
        raise OutputError(f"{label}: is a socket, not a file")
    if st is not None and not stat.S_ISREG(st.st_mode):  # a device or a FIFO: written in place
        return Output(label, given, OutputKind.STREAM, path=Path(path_text), identity=(st.st_dev, st.st_ino), null_device=_is_null(st))
    folder = os.path.dirname(path_text) or "/"
    if st is not None and not linked and not os.access(path_text, os.W_OK):
        raise OutputError(f"{label}: is read-only; not replaced (remove it or give another name)")
    if linked and (not os.access(folder, os.W_OK | os.X_OK) or (st is not None and not os.access(path_text, os.W_OK))):
        raise OutputError(f"{label}: is a link to {path_text}, where you cannot write; not followed")
    # A regular file, or a new one: its folder is real and resolved, the name is the last part.
    target = Path(os.path.realpath(folder)) / os.path.basename(path_text)
    out = Output(label, given, OutputKind.FILE, path=target, private=private)
    if st is not None:
        out.identity = (st.st_dev, st.st_ino)
        out.existing_mode = stat.S_IMODE(st.st_mode)
        out.existing_owner = (st.st_uid, st.st_gid)
    return out


def _descriptor_output(label: str, given: str, fd: int) -> Output:
    try:
        st = os.fstat(fd)
    except OSError:
        what = "standard output is" if fd == 1 else f"file descriptor {fd} is"
        raise OutputError(f"{label}: {what} closed") from None
    return Output(label, given, OutputKind.DESCRIPTOR, fd=fd, identity=(st.st_dev, st.st_ino), null_device=_is_null(st))


# ---- inputs and outputs that must not be the same file ----------------------------------------


def input_identity(given: str) -> tuple[int, int] | None:
    """(st_dev, st_ino) of a regular file a command reads (`-`: standard input), else None.
    Devices and pipes are not compared: reading a terminal while writing to it loses nothing."""
    try:
        st = os.fstat(0) if given == STDOUT else os.stat(given)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def refuse_overlaps(outputs: Sequence[Output], inputs: Sequence[tuple[str, str]]) -> None:
    """OutputError when an output is the same file as an input (`inputs`: (option, name) pairs)
    or as another output. /dev/null may take any number of outputs."""
    for out in outputs:
        if out.identity is None:
            continue  # a new file cannot be an input
        for option, name in inputs:
            if input_identity(name) == out.identity:  # only regular files have an input identity
                raise OutputError(f"{out.option}: is the same file as {option} {name}; it would be overwritten (choose another name)")
    for i, first in enumerate(outputs):
        for second in outputs[i + 1 :]:
            if first.null_device and second.null_device:
                continue
            same = (first.identity is not None and first.identity == second.identity) or (
                first.path is not None and first.path == second.path
            )
            if same:
                raise OutputError(f"{second.option}: is the same file as {first.option}; give each output its own file")


# ---- claiming (locks and stale temp files) -------------------------------------------------


def _hidden_stem(name: str) -> str:
    if len(name) <= _NAME_ROOM:
        return f".{name}"
    import hashlib  # only for names too long to keep whole

    return f".{name[: _NAME_ROOM - 9]}~{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


class _Lock:
    """An exclusive, non-blocking lock on one output file: `.NAME.advisor-lock` beside it."""

    def __init__(self, target: Path, label: str) -> None:
        self.path = target.parent / f"{_hidden_stem(target.name)}{LOCK_SUFFIX}"
        self.fd: int | None = None
        for _ in range(5):  # the file may be removed by a writer finishing right now: retry
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            except OSError as exc:
                raise OutputError(f"{label}: cannot write there: {exc.strerror or exc}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                holder = _read_pid(fd)
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    who = f"another advisor (process {holder})" if holder else "another advisor"
                    raise OutputError(f"{label}: {who} is writing this file now; not written (try again when it is done)") from None
                raise OutputError(f"{label}: cannot lock it: {exc.strerror or exc}") from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path, follow_symlinks=False).st_ino
            except OSError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                self.fd = fd
                return
            os.close(fd)
        raise OutputError(f"{label}: other writers keep replacing it; not written")

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            if os.fstat(self.fd).st_ino == os.stat(self.path, follow_symlinks=False).st_ino:
                os.unlink(self.path)
        os.close(self.fd)
        self.fd = None


def _read_pid(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""


def _remove_stale_temps(target: Path) -> None:
    """Temp files a killed writer left beside `target` (only the lock holder calls this, so no
    live writer of the same target can own them)."""
    pattern = re.compile(re.escape(_hidden_stem(target.name)) + r"\.\d+\.[0-9a-f]{8}" + re.escape(TEMP_SUFFIX) + "$")
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        if pattern.fullmatch(name):
            with contextlib.suppress(OSError):
                os.unlink(target.parent / name)


def claim(out: Output) -> None:
    """Lock a FILE output for this process (OutputError when another writer holds it) and clean
    up after killed writers. Descriptors and streams need no claim."""
    if out.kind is not OutputKind.FILE or out._lock is not None:
        return
    assert out.path is not None
    try:
        out.path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out.option}: cannot write there: {exc.strerror or exc}") from None
    out._lock = _Lock(out.path, out.option)
    _remove_stale_temps(out.path)


def release(out: Output) -> None:
    if out._lock is not None:
        out._lock.release()
        out._lock = None


@contextlib.contextmanager
def claimed(outputs: Sequence[Output], inputs: Sequence[tuple[str, str]] = ()) -> Iterator[Sequence[Output]]:
    """Check that no two of them (and no input) are the same file, then hold every output's lock
    until the block ends."""
    refuse_overlaps(outputs, inputs)
    try:
        for out in outputs:
            claim(out)
        yield outputs
    finally:
        for out in outputs:
            release(out)


# ---- writing -------------------------------------------------------------------------------


def encode_text(text: str) -> bytes:
    """UTF-8; text that came from non-UTF-8 bytes (arguments, file names) goes back to those
    bytes, and any other lone surrogate is written as a visible escape."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return text.encode("utf-8", "backslashreplace")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:  # a descriptor someone made non-blocking: wait until it drains
            select.select([], [fd], [])
            continue
        view = view[written:]


def write(out: Output, text: str, what: str = "report") -> None:
    """Write `text` to a resolved output (claiming it first if needed). A FILE that cannot be
    written keeps the text in the temp folder, and the one-line error says where."""
    data = encode_text(text)
    if out.kind is OutputKind.DESCRIPTOR:
        assert out.fd is not None
        if out.fd in (1, 2):
            with contextlib.suppress(Exception):
                (sys.stdout if out.fd == 1 else sys.stderr).flush()
        try:
            _write_all(out.fd, data)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(f"{out.option}: cannot write: {exc.strerror or exc}") from None
        return
    if out.kind is OutputKind.STREAM:
        _write_stream(out, data)
        return
    claimed_here = out._lock is None
    claim(out)
    try:
        _replace_file(out, data)
    except OSError as exc:
        raise OutputError(f"{out.option}: cannot write: {exc.strerror or exc}{_kept(data, what, out)}") from None
    finally:
        if claimed_here:
            release(out)


def _write_stream(out: Output, data: bytes) -> None:
    assert out.path is not None
    try:
        # Non-blocking open: a FIFO nobody reads is an error now, not a hang.
        fd = os.open(out.path, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OutputError(f"{out.option}: nothing is reading this pipe; not written") from None
        raise OutputError(f"{out.option}: cannot write: {exc.strerror or exc}") from None
    try:
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
        _write_all(fd, data)
    except OSError as exc:
        raise OutputError(f"{out.option}: cannot write: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _replace_file(out: Output, data: bytes) -> None:
    assert out.path is not None
    target = out.path
    tmp = target.parent / f"{_hidden_stem(target.name)}.{os.getpid()}.{os.urandom(4).hex()}{TEMP_SUFFIX}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600 if out.private else 0o666)
    try:
        try:
            _write_all(fd, data)
            if out.existing_mode is not None:
                os.fchmod(fd, out.existing_mode)
                if out.existing_owner is not None and os.geteuid() == 0:
                    with contextlib.suppress(OSError):
                        os.fchown(fd, *out.existing_owner)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # the rename itself survives a power cut
        dir_fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _kept(data: bytes, what: str, out: Output) -> str:
    """Keep text that could not be written in the temp folder: " (the report was kept in X)"."""
    import tempfile  # only when writing failed (rare): it imports `random`

    suffix = out.path.suffix if out.path is not None and out.path.suffix else ".txt"
    try:
        fd, kept = tempfile.mkstemp(prefix=f"advisor-{what}-", suffix=suffix)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except OSError:
        return ""
    return f" (the {what} was kept in {kept})"


def write_output(given: str | Path, text: str, what: str = "report", option: str = "--output", *, private: bool = False) -> Output:
    """Resolve, claim, write and release one output in one go (the TUI export, saved sessions)."""
    out = resolve_output(str(given), option, private=private)
    write(out, text, what)
    return out
