"""A long report's findings encoded on more than one core, in the same bytes as on one.

Encoding the listed findings of a large audit (the explanations made, JSON or CSV text written)
is pure Python, one finding at a time: a single core, while the machine has more. Here the
findings are cut into contiguous parts; the parent encodes the first while each other part is
encoded by a child made with ``os.fork`` into a temporary file; then the parent passes the
children's text on in order. A forked child shares the parent's findings (copy on write), so
nothing is pickled or sent.

When it is not done (the result is the same, from one process):

* no ``os.fork`` (Windows), or fewer than :data:`MIN_ITEMS` findings;
* the process has more than one thread (``/proc/self/task``): forking a threaded process is
  unsafe (a DuckDB connection still open in the caller, a web server's workers). The CLI closes
  its DuckDB connection before writing, so ``perbup audit`` is single-threaded here;
* one core available (``os.sched_getaffinity``), or a temporary file cannot be made;
* the temporary files' folder is in memory (tmpfs, ramfs: ``/proc/self/mounts``): half a long
  report held there would be memory the audit does not show. The CLI puts them beside the
  report it writes (``spill_dir``), else they go to the system's temporary folder.

A child that fails (any exception, a full disk) exits with status 1 and prints nothing; the
parent then encodes that part itself, so a real error is raised once, where it happens, by the
same code as without children.
"""

from __future__ import annotations

import gc
import io
import os
import signal
import tempfile
from collections.abc import Callable, Iterator, Sequence

#: below this many findings one process writes them (forking costs a few milliseconds)
MIN_ITEMS = 20_000
#: at most this many processes encode one report (parent included)
MAX_PROCESSES = 4
#: characters read back from a child's file at a time
_CHUNK = 1 << 20


#: file systems whose files are memory
_IN_MEMORY = frozenset({"tmpfs", "ramfs", "devtmpfs"})


def in_memory(folder: str) -> bool:
    """Whether ``folder`` is on a file system held in memory (the mount of the longest path
    that contains it, in ``/proc/self/mounts``); true when that cannot be told."""
    try:
        real = os.path.realpath(folder)
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as fh:
            mounts = [fields[1:3] for fields in map(str.split, fh) if len(fields) > 2]
    except OSError:
        return True
    best, kind = "", ""
    for point, fstype in mounts:
        point = point.replace("\\040", " ")
        inside = real == point or real.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fstype
    return kind in _IN_MEMORY or not best


def processes() -> int:
    """How many processes may encode: the cores this process may run on, at most
    :data:`MAX_PROCESSES`; 1 when forking is not possible or not safe (see the module)."""
    if not hasattr(os, "fork"):
        return 1
    try:
        if len(os.listdir("/proc/self/task")) != 1:
            return 1
    except OSError:  # no /proc: the thread count is unknown, so do not fork
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_PROCESSES))


def split(n: int, parts: int, step: int) -> list[tuple[int, int]]:
    """``[start, stop)`` ranges covering ``range(n)`` in order, at most ``parts`` of them, each
    (but the last) a multiple of ``step`` long."""
    if parts <= 1 or n <= step:
        return [(0, n)]
    size = -(-n // parts)
    size = -(-size // step) * step
    return [(a, min(a + size, n)) for a in range(0, n, size)]


def pieces(items: Sequence, encode: Callable[[Sequence, bool], Iterator[str]], step: int = 1,
           spill_dir: str | None = None) -> Iterator[str]:
    """``encode(items, True)`` in pieces, made by up to :func:`processes` processes.

    ``encode(part, first)`` gives the text of a contiguous part of ``items``; ``first`` is true
    for the part that starts the list (a separator before the others). The concatenation of the
    parts' texts, in order, must be the text of the whole list. ``step``: parts are cut at
    multiples of it (the batches ``encode`` makes). ``spill_dir``: where the children's
    temporary files go (default: the system's temporary folder)."""
    spill_dir = spill_dir or tempfile.gettempdir()
    n = processes() if len(items) >= MIN_ITEMS and not in_memory(spill_dir) else 1
    ranges = split(len(items), n, step)
    if len(ranges) == 1:
        yield from encode(items, True)
        return
    children: list[tuple[int, object, tuple[int, int]]] = []  # (pid, file, range)
    # A collection in the parent would write to the header of every object it tracks while the
    # children share them, copying the pages they sit on: the objects made so far are left out
    # of collections until the children are done.
    gc.freeze()
    try:
        for a, b in ranges[1:]:
            try:
                fh = tempfile.TemporaryFile(prefix="perbup-report-", dir=spill_dir)
            except OSError:
                children.append((0, None, (a, b)))  # encoded by the parent
                continue
            pid = os.fork()
            if pid == 0:  # the child: encode its part, write it, exit without running the parent's cleanup
                _child(items[a:b], encode, fh)
            children.append((pid, fh, (a, b)))
        a, b = ranges[0]
        yield from encode(items[a:b], True)
        while children:
            pid, fh, (a, b) = children.pop(0)
            ok = pid != 0 and _exit_code(pid) == 0
            if ok:
                fh.seek(0)
                text = io.TextIOWrapper(fh, encoding="utf-8", newline="")
                while chunk := text.read(_CHUNK):
                    yield chunk
                text.close()
            else:  # the child failed: the same code, here, raises what went wrong
                if fh is not None:
                    fh.close()
                yield from encode(items[a:b], False)
    finally:  # the reader stopped early or failed: stop and reap the children left
        gc.unfreeze()
        for pid, fh, _ in children:
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
                _exit_code(pid)
            if fh is not None:
                fh.close()


def _child(part: Sequence, encode: Callable[[Sequence, bool], Iterator[str]], fh) -> None:
    status = 1
    try:
        # a collection would write to every object's header and copy the parent's pages
        gc.disable()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        out = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=False)
        for piece in encode(part, False):
            out.write(piece)
        out.flush()
        status = 0
    except BaseException:  # noqa: BLE001 - reported by the parent re-encoding the part
        pass
    finally:
        os._exit(status)


def _exit_code(pid: int) -> int:
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return -1
    return os.waitstatus_to_exitcode(status)
