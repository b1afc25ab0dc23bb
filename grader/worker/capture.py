"""Student output: what the worker prints goes to the grader's capture file, up to a cap."""

import io
import os
import sys


class CappedFile(io.RawIOBase):
    """fd 1 and 2 (the grader's capture file) until `budget[0]` bytes are spent; then the
    rest is dropped quietly, so a chatty submission neither fills the disk nor fails."""

    def __init__(self, fd, budget):
        self.fd, self.budget = fd, budget

    def writable(self):
        return True

    def write(self, data):
        keep = bytes(data[:max(0, self.budget[0])])
        self.budget[0] -= len(keep)
        while keep:
            try:
                keep = keep[os.write(self.fd, keep):]
            except OSError:  # the file-size limit: nothing more will fit
                self.budget[0] = 0
                break
        return len(data)


def cap_output(limit):
    budget = [limit]
    for name, fd in (("stdout", 1), ("stderr", 2)):
        stream = io.TextIOWrapper(io.BufferedWriter(CappedFile(fd, budget)), encoding="utf-8",
                                  errors="backslashreplace", line_buffering=name == "stderr")
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)
