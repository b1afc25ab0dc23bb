"""A call stopped at its time limit is said to be in the loop it was in, the same way on every
run: an endless two-line loop was reported at either of its lines, so one file got different
feedback from one grading to the next (a corpus snapshot showed it)."""

import linecache
import sys

import pytest

from conftest import ROOT
from grader import rubric as rubric_mod
from grader.sandbox.client import LoadRequest, WorkerClient

sys.path.insert(0, str(ROOT / "grader" / "worker"))
import stopped  # noqa: E402  (the worker's module, imported as the worker imports it)

SOURCE = '''\
import numpy as np


def sampler(words, avoid):
    pick = words[0]
    while pick == avoid:
        pick = words[np.random.randint(len(words))]
    return pick


def nested(rows):
    total = 0
    for row in rows:
        for x in row:
            total += x
    def inner():
        return total * 2
    return inner()


def long_header(a,
                b):
    for item in zip(a,
                    b):
        pass
    return a


for _ in range(3):
    pass


def identity(f):
    return f


@identity
def spins(n):
    step = lambda y: y + 1  # noqa: E731
    while n >= 0:
        n = step(n)
    else:
        n = [k for k in range(3)]
    return n


def _tick(n):
    return n + 1


def ticks(n):
    while n >= 0:
        n = _tick(n)
    return n
'''


@pytest.fixture
def source_file():
    name = "<stopped test>"
    linecache.cache[name] = (len(SOURCE), None, SOURCE.splitlines(True), name)
    yield name
    linecache.cache.pop(name, None)
    stopped._parsed.pop(name, None)


@pytest.mark.parametrize("line, function, header", [
    (6, 4, (6, 6)), (7, 4, (6, 6)),       # either line of the endless while: its header
    (5, 4, None), (8, 4, None),           # before and after it: no loop
    (13, 11, (13, 13)), (14, 11, (14, 14)), (15, 11, (14, 14)),   # nested: the innermost
    (17, 16, None),                       # a function defined in the loop's function: its own
    (24, 21, (23, 24)), (25, 21, (23, 24)),   # a header over two lines
    (29, None, (29, 29)), (30, None, (29, 29)),   # a loop at the top level
    (7, None, None),                      # another function's loop is not this frame's
    (40, 37, (40, 40)), (41, 37, (40, 40)),   # a decorated function: code starts at @
    (43, 37, None),                       # the loop's else: block is not the loop
])
def test_a_stopped_line_is_moved_to_the_innermost_loop_of_its_function(source_file, line,
                                                                       function, header):
    assert stopped.loop_header(source_file, line, function) == header


@pytest.mark.parametrize("lines", [
    ["while (:\n"],                                                   # does not parse
    ["while True:\n", "    x = 1\n", "#" * stopped.MAX_SOURCE_CHARS + "\n"]])  # too long
def test_a_source_not_parsed_keeps_its_lines(lines):
    name = "<not parsed>"
    linecache.cache[name] = (sum(map(len, lines)), None, lines, name)
    try:
        assert stopped.loop_header(name, 2, None) is None
    finally:
        linecache.cache.pop(name, None)
        stopped._parsed.pop(name, None)


def _where_stopped(tmp_path, fn, args, times):
    """The set of `where` lists a sandboxed worker gives, stopped `times` in `fn`."""
    path = tmp_path / "word2vec.py"
    path.write_text(SOURCE)
    request = LoadRequest(filename=str(path), sys_path=[str(tmp_path)], functions=(fn,),
                          cells=[{"source": SOURCE, "label": None, "filename": str(path)}])
    seen = set()
    with WorkerClient(request, rubric_mod.load().limits) as worker:
        worker.start()
        for _ in range(times):
            answer = worker.call({"op": "call", "fn": fn, "args": args, "soft_seconds": 0.05},
                                 timeout=5)
            assert answer["error"]["type"] == "TimeLimit"
            seen.add(tuple(answer["error"]["where"]))
    return seen


def test_a_stopped_endless_loop_is_named_by_its_header_every_time(tmp_path):
    assert _where_stopped(tmp_path, "sampler", [[1, 1], 1], 4) == {
        ("line 6, in sampler: while pick == avoid:",)}


def test_a_lambda_called_in_the_loop_gives_way_to_the_loop(tmp_path):
    """Stopped in the lambda or in the loop's own lines: the same words (a reviewer's file
    got either, and its checks were grouped differently from run to run)."""
    assert _where_stopped(tmp_path, "spins", [0], 6) == {("line 40, in spins: while n >= 0:",)}


def test_a_helper_called_in_the_loop_gives_way_to_the_loop(tmp_path):
    """Stopped in the helper or in the loop's own lines: the loop, and the helper's frame
    left out (a reviewer's file got either, with the helper's def line quoted)."""
    assert _where_stopped(tmp_path, "ticks", [0], 6) == {("line 52, in ticks: while n >= 0:",)}
