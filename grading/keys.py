"""Single key presses without Enter, for ``nox -s watch``: msvcrt on Windows, termios
cbreak mode on POSIX. The one place that owns these platform calls."""

from __future__ import annotations

import os
import sys


class Keys:
    """``with Keys() as keys: keys.read(0.1)`` -> a key ('h', '\\n', '\\x1b') or None."""

    def __init__(self) -> None:
        self._saved = None
        self.interactive = sys.stdin.isatty()

    def __enter__(self) -> Keys:
        if self.interactive and os.name != "nt":
            import termios
            import tty

            fd = sys.stdin.fileno()
            self._saved = termios.tcgetattr(fd)
            tty.setcbreak(fd)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._saved is not None:
            import termios

            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, self._saved)
            self._saved = None

    def read(self, timeout: float = 0.0) -> str | None:
        if os.name == "nt":
            import msvcrt
            import time

            end = time.monotonic() + timeout
            while True:
                if msvcrt.kbhit():
                    ch = msvcrt.getwch()
                    return "\n" if ch == "\r" else ch
                if time.monotonic() >= end:
                    return None
                time.sleep(0.02)
        import select

        ready, _, _ = select.select([sys.stdin], [], [], timeout)
        if not ready:
            return None
        ch = os.read(sys.stdin.fileno(), 1).decode(errors="replace")
        if ch == "":
            return "q"  # end of input: nobody is left to press keys
        return "\n" if ch == "\r" else ch
