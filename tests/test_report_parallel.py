"""A long report's findings encoded by forked children (perbup_rules.report.parallel): the same
bytes as one process, whatever the cut, a failing child, or a reader that stops early."""

from __future__ import annotations

import os
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perbup_rules as pr
from perbup_rules.report import parallel, render, stream

KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)

forking = pytest.mark.skipif(not hasattr(os, "fork") or not os.path.isdir("/proc/self/task"),
                             reason="forks only where there is os.fork and /proc (Linux)")


@given(n=st.integers(0, 500), procs=st.integers(1, 6), step=st.integers(1, 40), cap=st.integers(1, 60))
def test_chunks_cover_in_order_in_steps(n, procs, step, cap):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parallel, "MAX_CHUNK", cap)
        ranges = parallel.chunks(n, procs, step)
    assert procs == 1 or all(b - a <= max(cap, step) + step for a, b in ranges)  # capped (rounded up to a step)
    assert ranges[0][0] == 0 and ranges[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))  # contiguous, in order
    assert len(ranges) <= max(procs * parallel.CHUNKS_PER_PROCESS, -(-n // cap), 1)
    assert all((b - a) % step == 0 and b > a for a, b in ranges[:-1])  # cut at multiples of step


def encode_numbers(part, first):
    """A JSON-like list body in batches of 3: the text depends on where each part starts."""
    for i in range(0, len(part), 3):
        chunk = ",".join(str(x) for x in part[i:i + 3])
        yield chunk if first and i == 0 else "," + chunk


@forking
@settings(max_examples=25, deadline=None)
@given(items=st.lists(st.integers(-10**6, 10**6), max_size=60), procs=st.integers(1, 4))
def test_forked_parts_give_the_bytes_of_one_process(items, procs):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parallel, "MIN_ITEMS", 1)
        mp.setattr(parallel, "processes", lambda: procs)
        got = "".join(parallel.pieces(items, encode_numbers, 3))
    assert got == "".join(encode_numbers(items, True))


@forking
def test_a_child_that_fails_is_done_again_by_the_parent(monkeypatch):
    parent = os.getpid()
    calls = []

    def encode(part, first):
        calls.append((part[0], first))  # seen in the parent only (a child's list is its own)
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        yield from encode_numbers(part, first)

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setattr(parallel, "processes", lambda: 3)
    items = list(range(60))
    assert "".join(parallel.pieces(items, encode, 3)) == "".join(encode_numbers(items, True))
    # the parent encoded every chunk itself, once: its own and those the children failed on
    starts = [a for a, _b in parallel.chunks(len(items), 3, 3)]
    assert sorted(calls) == [(a, a == 0) for a in starts]


@forking
def test_children_take_chunks_while_the_parent_makes_the_head(monkeypatch):
    """The head is made by the parent after forking; meanwhile the children take chunks (the
    parent would else encode them all), and the text is still in order."""
    parent = os.getpid()
    mine = []

    def encode(part, first):
        if os.getpid() == parent:
            mine.append(part[0])
        yield from encode_numbers(part, first)

    def head():
        time.sleep(1.0)  # long enough for the children to take every chunk
        return "HEAD:"

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setattr(parallel, "processes", lambda: 3)
    items = list(range(90))
    got = "".join(parallel.pieces(items, encode, 3, head=head))
    assert got == "HEAD:" + "".join(encode_numbers(items, True))
    assert len(mine) < len(parallel.chunks(len(items), 3, 3))


@forking
@settings(max_examples=15, deadline=None)
@given(items=st.lists(st.integers(0, 99), min_size=1, max_size=80), slow=st.sets(st.integers(0, 99), max_size=5))
def test_slow_chunks_anywhere_keep_the_order(items, slow):
    """Whichever process is slow on which chunk (the parent waits for a child, or holds its own
    chunks until a child's come), the text is the one-process text."""
    def encode(part, first):
        if slow & set(part):
            time.sleep(0.01)
        yield from encode_numbers(part, first)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parallel, "MIN_ITEMS", 1)
        mp.setattr(parallel, "processes", lambda: 3)
        mp.setattr(parallel, "CHUNKS_PER_PROCESS", 4)
        got = "".join(parallel.pieces(items, encode, 1, head=lambda: "h"))
    assert got == "h" + "".join(encode_numbers(items, True))


@forking
def test_an_error_in_a_part_is_raised_once_where_it_happens(monkeypatch):
    def encode(part, first):
        if 25 in part:
            raise ValueError("bad finding 25")
        yield from encode_numbers(part, first)

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setattr(parallel, "processes", lambda: 2)
    with pytest.raises(ValueError, match="bad finding 25"):
        "".join(parallel.pieces(list(range(30)), encode, 3))
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every child was reaped


@forking
def test_a_reader_that_stops_early_leaves_no_child(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setattr(parallel, "processes", lambda: 3)
    it = parallel.pieces(list(range(300)), encode_numbers, 3)
    assert next(it).startswith("0,1,2,")
    it.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@forking
def test_one_process_while_another_thread_runs():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert parallel.processes() == 1  # forking a threaded process is unsafe
    finally:
        stop.set()
        other.join()


@forking
def test_the_engine_leaves_one_thread():
    """durable-rules' Host re-arms dispatch timers (threads) for ever; the engine's Host has none,
    so after judging the process can fork to write."""
    ds = pr.load_dataset(pr.EXAMPLE_DATA)
    pr.evaluate(KUTIM, ds, "durable")
    assert [t for t in threading.enumerate() if isinstance(t, threading.Timer)] == []


@forking
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_reports_written_by_several_processes_are_the_same_bytes(fmt, monkeypatch, tmp_path):
    ds = pr.load_dataset(pr.EXAMPLE_DATA)
    pr.categorize(ds, KUTIM)
    report = pr.evaluate(KUTIM, ds, "durable")
    monkeypatch.setattr(stream, "BATCH", 4)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setattr(parallel, "processes", lambda: 3)
    forked = "".join(stream.pieces(report, fmt, spill_dir=str(tmp_path)))
    assert forked == (report.to_json() if fmt == "json" else render(report, fmt))
    # raw: the helpers' text as the bytes they wrote (the CLI writes a binary file), the rest str
    got = list(stream.pieces(report, fmt, spill_dir=str(tmp_path), raw=True))
    assert any(type(p) is bytes for p in got)
    assert b"".join(p if type(p) is bytes else p.encode("utf-8") for p in got) == forked.encode("utf-8")


def tmpfs_mount() -> str | None:
    try:
        with open("/proc/self/mounts") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) > 2 and parts[2] == "tmpfs" and os.path.isdir(parts[1]) and os.access(parts[1], os.W_OK):
                    return parts[1]
    except OSError:
        return None
    return None


@forking
def test_no_helper_spills_into_memory(monkeypatch):
    """Half a long report in a tmpfs file would be memory nobody counts: one process then."""
    point = tmpfs_mount()
    if point is None:
        pytest.skip("no writable tmpfs mount here")
    assert parallel.in_memory(point)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setattr(parallel, "processes", lambda: 3)
    calls = []

    def encode(part, first):
        calls.append((len(part), first))
        yield from encode_numbers(part, first)

    items = list(range(30))
    assert "".join(parallel.pieces(items, encode, 3, spill_dir=point)) == "".join(encode_numbers(items, True))
    assert calls == [(30, True)]


@forking
def test_helpers_spill_where_asked(tmp_path, monkeypatch):
    if parallel.in_memory(str(tmp_path)):
        pytest.skip("the test folder is in memory")
    seen = []
    real = parallel.tempfile.TemporaryFile

    def spy(*a, **k):
        seen.append(k.get("dir"))
        return real(*a, **k)

    monkeypatch.setattr(parallel.tempfile, "TemporaryFile", spy)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setattr(parallel, "processes", lambda: 2)
    items = list(range(30))
    assert "".join(parallel.pieces(items, encode_numbers, 3, spill_dir=str(tmp_path))) == "".join(encode_numbers(items, True))
    assert seen == [str(tmp_path)]


@forking
def test_every_chunk_is_encoded_once(tmp_path, monkeypatch):
    """The parent waits for a slow child's report and uses it: no chunk is encoded twice (a
    report read while waiting used to be parsed only with the next one, so the last chunk was
    encoded again by the parent once the children had exited)."""
    log = tmp_path / "log"
    parent = os.getpid()

    def encode(part, first):
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        os.write(fd, f"{part[0]}\n".encode())
        os.close(fd)
        if os.getpid() != parent:
            time.sleep(0.05)  # the child is slow: the parent ends up waiting for it
        yield from encode_numbers(part, first)

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setattr(parallel, "processes", lambda: 2)
    items = list(range(96))
    assert "".join(parallel.pieces(items, encode, 3)) == "".join(encode_numbers(items, True))
    starts = sorted(int(x) for x in log.read_text().split())
    assert starts == [a for a, _b in parallel.chunks(len(items), 2, 3)]
