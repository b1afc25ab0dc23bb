"""The terminal's progress line during a long grading: on a terminal only, erased at the end."""

import io
import time

from grader.report.progress import ProgressLine


class _Tty(io.StringIO):
    def isatty(self):
        return True


def _wait_for(predicate, seconds=10.0):
    end = time.monotonic() + seconds
    while not predicate() and time.monotonic() < end:
        time.sleep(0.01)
    return predicate()


def test_a_long_grading_shows_where_it_is_then_erases_the_line():
    stream = _Tty()
    with ProgressLine(4, stream=stream, delay=0.0, every=0.01) as progress:
        progress.step("sigmoid")
        progress.step("skipgram")
        assert _wait_for(lambda: "skipgram (2 of 4)" in stream.getvalue())
    text = stream.getvalue()
    assert text.startswith("\rgrading") and text.endswith("\r\033[K")


def test_nothing_is_written_off_a_terminal_or_before_the_delay():
    piped = io.StringIO()
    with ProgressLine(4, stream=piped, delay=0.0) as progress:
        progress.step("sigmoid")
        time.sleep(0.05)
    assert piped.getvalue() == ""
    quick = _Tty()
    with ProgressLine(4, stream=quick, delay=60.0) as progress:
        progress.step("sigmoid")
    assert quick.getvalue() == ""
