"""A plain progress bar for long commands (stderr, redrawn in place on a terminal, a line per step otherwise)."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int | None, label: str = "", stream=None, every_s: float = 0.5):
        self.total, self.label = total, label
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.every_s = every_s if self.tty else max(every_s, 5.0)
        self.start = self.last = time.monotonic()
        self.done = 0

    def update(self, done: int, *, force: bool = False) -> None:
        self.done = done
        now = time.monotonic()
        if not force and now - self.last < self.every_s:
            return
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        if self.total:
            frac = min(1.0, done / self.total)
            bar = "#" * int(frac * 30)
            text = f"{self.label} [{bar:<30}] {frac:6.1%} {done:,}/{self.total:,} ({rate:,.0f}/s)"
        else:
            text = f"{self.label} {done:,} ({rate:,.0f}/s)"
        self.stream.write(("\r" + text) if self.tty else text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        self.update(self.done, force=True)
        if self.tty:
            self.stream.write("\n")
