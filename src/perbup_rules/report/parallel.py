"""A long report's findings encoded on more than one core, in the same bytes as on one.

Encoding the listed findings of a large audit (the explanations made, JSON or CSV text written)
is pure Python, one finding at a time: a single core, while the machine has more. Here the
findings are cut into contiguous chunks (about :data:`CHUNKS_PER_PROCESS` per process); the
parent and children made with ``os.fork`` take the next chunk in turn until none is left, a
child writing each chunk's text to its temporary file, and the parent passes every chunk's text
on in order. Taking chunks in turn keeps the processes busy to the end whatever a chunk costs
(a clause's findings cost twice another's) and whatever else the parent does meanwhile (the
report's skeleton, passing the children's text on). A forked child shares the parent's
findings (copy on write), so nothing is pickled or sent.

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
parent then encodes the chunk it was on itself, so a real error is raised once, where it happens, by the
same code as without children.
"""

from __future__ import annotations

import gc
import os
import signal
import struct
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any

#: below this many findings one process writes them (forking costs a few milliseconds)
MIN_ITEMS = 20_000
#: at most this many processes encode one report (parent included)
MAX_PROCESSES = 4


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


def chunks(n: int, processes_: int, step: int) -> list[tuple[int, int]]:
    """``[start, stop)`` ranges covering ``range(n)`` in order, about :data:`CHUNKS_PER_PROCESS`
    per process but none over :data:`MAX_CHUNK` items (a chunk's text is held whole), each (but
    the last) a multiple of ``step`` long."""
    if processes_ <= 1 or n <= step:
        return [(0, n)]
    size = min(-(-n // (processes_ * CHUNKS_PER_PROCESS)), MAX_CHUNK)
    size = max(size, -(-n // MAX_CHUNKS))  # every chunk number fits the pipe before anyone reads it
    size = -(-size // step) * step
    return [(a, min(a + size, n)) for a in range(0, n, size)]


def pieces(items: Sequence, encode: Callable[[Sequence, bool], Iterator[str]], step: int = 1,
           spill_dir: str | None = None, head: Callable[[], str] | None = None,
           raw: bool = False) -> Iterator[str | bytes]:
    """``encode(items, True)`` in pieces, made by up to :func:`processes` processes.

    ``encode(part, first)`` gives the text of a contiguous part of ``items``; ``first`` is true
    for the part that starts the list (a separator before the others). The concatenation of the
    parts' texts, in order, must be the text of the whole list. ``step``: parts are cut at
    multiples of it (the batches ``encode`` makes). ``spill_dir``: where the children's
    temporary files go (default: the system's temporary folder). ``head``: text to give first,
    made by the parent while the children already encode (a report's skeleton). ``raw``: a
    child's text is given as the UTF-8 bytes it wrote, not decoded (the caller writes bytes).

    The list is cut into :func:`chunks`; the parent and its children take the next chunk in turn
    (a pipe of chunk numbers) until none is left, so a process that is slower, or has other work
    (``head``, passing text on), simply takes fewer. A child writes each chunk's UTF-8 text to its
    temporary file and tells the parent where (a pipe of fixed-size records); the parent gives
    every chunk's text in order: its own, held until its turn (at most :data:`HOLD` of them),
    or read back from the child's file."""
    spill_dir = spill_dir or tempfile.gettempdir()
    n = processes() if len(items) >= MIN_ITEMS and not in_memory(spill_dir) else 1
    parts = chunks(len(items), n, step)
    if len(parts) == 1:
        if head is not None:
            yield head()
        yield from encode(items, True)
        return
    yield from _Pool(items, encode, parts, n, spill_dir).run(head, raw)


#: chunks per process: enough that the processes end together, few enough that each is long
CHUNKS_PER_PROCESS = 12
#: items in a chunk at most: its text (about 1.2 kB a finding in JSON) is held whole, by a child
#: until written and by the parent until its turn. Measured on the hard shape at 1M (JSON, summed
#: PSS of the processes): 10,000 raised the peak by 70 MB over 4,000; 2,000 lowers it by 30 MiB
#: (950 to 915-926 MiB), 1,000 no further, in the same time
MAX_CHUNK = 2_000
#: chunks at most: their numbers (4 bytes each) are written to a pipe (64 kB) before any is read
MAX_CHUNKS = 8_000
#: the parent holds at most this many of its own chunks' texts, waiting for a child's to come first
HOLD = 2
_TOKEN = struct.Struct("<I")
_NONE = 0xFFFFFFFF  # no chunk left
_DONE = struct.Struct("<IIQQ")  # chunk, child, offset, length: one atomic pipe write (< PIPE_BUF)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class _Pool:
    """One encoding of a list by the parent and forked children (see :func:`pieces`)."""

    def __init__(self, items: Sequence, encode: Callable[[Sequence, bool], Iterator[str]],
                 parts: list[tuple[int, int]], n: int, spill_dir: str) -> None:
        self.items, self.encode, self.parts, self.n, self.spill_dir = items, encode, parts, n, spill_dir
        self.children: list[tuple[int, Any]] = []  # (pid, temporary file) of each child
        self.tokens_r = self.tokens_w = self.done_r = self.done_w = -1

    def text(self, i: int) -> str:
        a, b = self.parts[i]
        return "".join(self.encode(self.items[a:b], i == 0))

    def take(self) -> int | None:
        """The next chunk no process has taken yet (None: none left)."""
        got = os.read(self.tokens_r, _TOKEN.size)
        if len(got) < _TOKEN.size:
            return None
        (i,) = _TOKEN.unpack(got)
        return None if i == _NONE else i

    def run(self, head: Callable[[], str] | None, raw: bool) -> Iterator[str | bytes]:
        # A collection in the parent would write to the header of every object it tracks while the
        # children share them, copying the pages they sit on: the objects made so far are left out
        # of collections until the children are done.
        gc.freeze()
        try:
            self.tokens_r, self.tokens_w = os.pipe()
            self.done_r, self.done_w = os.pipe()
            tokens = b"".join(_TOKEN.pack(i) for i in range(len(self.parts)))
            _write_all(self.tokens_w, tokens + _TOKEN.pack(_NONE) * self.n)  # one "none left" per process
            os.close(self.tokens_w)
            self.tokens_w = -1
            for k in range(self.n - 1):
                try:
                    fh = tempfile.TemporaryFile(prefix="perbup-report-", dir=self.spill_dir)
                except OSError:
                    break  # fewer helpers
                pid = os.fork()
                if pid == 0:  # the child: take chunks until none is left, exit without the parent's cleanup
                    _worker(self, k, fh)
                self.children.append((pid, fh))
            os.close(self.done_w)  # the children hold the write ends: end of file when all have exited
            self.done_w = -1
            if head is not None:
                yield head()
            yield from self.gather(raw)
        finally:  # done, or the reader stopped early or failed: stop and reap the children left
            gc.unfreeze()
            for pid, _fh in self.children:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
                _exit_code(pid)
            for _pid, fh in self.children:
                fh.close()
            for fd in (self.tokens_r, self.tokens_w, self.done_r, self.done_w):
                if fd >= 0:
                    os.close(fd)

    def gather(self, raw: bool) -> Iterator[str | bytes]:
        held: dict[int, str] = {}  # the parent's own chunks, waiting for their turn
        where: dict[int, tuple[int, int, int]] = {}  # a child's chunk: (child, offset, length)
        buf = b""
        taking, children_alive = True, bool(self.children)

        def read(block: bool) -> bool:
            """Take what the children reported (waiting for a report if ``block``); False when
            nothing was there (or every child has exited)."""
            nonlocal buf, children_alive
            os.set_blocking(self.done_r, block)
            try:
                got = os.read(self.done_r, _DONE.size * 64)
            except BlockingIOError:
                return False
            if not got:
                children_alive = False
                return False
            buf += got
            while len(buf) >= _DONE.size:
                i, k, off, length = _DONE.unpack_from(buf)
                buf = buf[_DONE.size:]
                where[i] = (k, off, length)
            return True

        for turn in range(len(self.parts)):
            while turn not in held and turn not in where:
                if children_alive and read(False):  # what the children finished meanwhile
                    continue
                if taking and len(held) < HOLD:
                    i = self.take()
                    if i is None:
                        taking = False
                    else:
                        held[i] = self.text(i)
                    continue
                if children_alive:  # nothing to do but wait for a child
                    read(True)
                    continue
                # every child has exited and this chunk is nowhere: a child failed while encoding it.
                # The same code, here, raises what went wrong (or gives the text).
                held[turn] = self.text(turn)
            if turn in held:
                yield held.pop(turn)
            else:
                k, off, length = where.pop(turn)
                data = os.pread(self.children[k][1].fileno(), length, off)
                yield data if raw else data.decode("utf-8")


def _worker(pool: _Pool, k: int, fh: Any) -> None:
    status = 1
    try:
        # a collection would write to every object's header and copy the parent's pages
        gc.disable()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        fd, offset = fh.fileno(), 0
        while (i := pool.take()) is not None:
            data = pool.text(i).encode("utf-8")
            _write_all(fd, data)
            os.write(pool.done_w, _DONE.pack(i, k, offset, len(data)))
            offset += len(data)
        status = 0
    except BaseException:  # noqa: BLE001 - reported by the parent re-encoding the chunk
        pass
    finally:
        os._exit(status)


def _exit_code(pid: int) -> int:
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return -1
    return os.waitstatus_to_exitcode(status)
