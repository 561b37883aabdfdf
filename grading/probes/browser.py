"""Finding a Chromium-based browser for Playwright on any learner's machine.

No browser is ever downloaded: Playwright drives one that is installed. In order:

1. ``GRADING_BROWSER``: a browser's path, or a Playwright channel name (``chrome``,
   ``msedge``, ``chrome-beta``...), or ``none`` to turn the browser test off;
2. a browser on PATH (``shutil.which``): Debian's ``chromium``, Ubuntu's and Fedora's
   ``chromium-browser``, ``google-chrome``, ``microsoft-edge``...;
3. the places each OS's installers put Chromium, Google Chrome and Microsoft Edge.

Discovery only looks at names and paths (it starts nothing), so the grader decides
before loading a submission whether the browser test runs: a machine without a browser
skips it whatever the submission holds, and every submission graded there has the same
maximum.
"""

from __future__ import annotations

import ntpath
import os
import posixpath
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass

ENV = "GRADING_BROWSER"
CHANNELS = ("chrome", "chrome-beta", "chrome-dev", "chrome-canary", "msedge", "msedge-beta", "msedge-dev",
            "msedge-canary")
OFF = ("none", "off", "0", "no")

# Looked up on PATH, Chromium first (the browser Playwright's Chromium API is made for).
COMMANDS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge",
            "microsoft-edge-stable", "chrome", "msedge")

# Where installers put them, per sys.platform; %VAR% and ~ are expanded.
KNOWN_PATHS: dict[str, tuple[str, ...]] = {
    "linux": (
        "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium",
        "/usr/lib64/chromium-browser/chromium-browser", "/snap/bin/chromium",
        "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable", "/opt/google/chrome/chrome",
        "/usr/bin/microsoft-edge", "/opt/microsoft/msedge/msedge",
    ),
    "darwin": (
        "/Applications/Chromium.app/Contents/MacOS/Chromium",
        "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        "~/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    ),
    "win32": (
        r"%PROGRAMFILES%\Google\Chrome\Application\chrome.exe",
        r"%PROGRAMFILES(X86)%\Google\Chrome\Application\chrome.exe",
        r"%LOCALAPPDATA%\Google\Chrome\Application\chrome.exe",
        r"%PROGRAMFILES(X86)%\Microsoft\Edge\Application\msedge.exe",
        r"%PROGRAMFILES%\Microsoft\Edge\Application\msedge.exe",
        r"%LOCALAPPDATA%\Chromium\Application\chrome.exe",
    ),
}

INSTALL = {
    "linux": "Debian: `sudo apt-get install -y chromium`; Ubuntu: `sudo apt-get install -y chromium-browser` "
             "(a snap) or Google Chrome's .deb; Fedora: `sudo dnf install -y chromium`",
    "darwin": "install Google Chrome (google.com/chrome) or `brew install --cask chromium`",
    "win32": "install Google Chrome, or use Microsoft Edge (part of Windows)",
}


@dataclass(frozen=True)
class Browser:
    """What to hand ``playwright.chromium.launch``: an executable path or a channel."""

    executable: str | None = None
    channel: str | None = None
    found_by: str = ""

    def launch_options(self) -> dict[str, str]:
        return {"executable_path": self.executable} if self.executable else {"channel": self.channel or "chrome"}

    def describe(self) -> str:
        return self.executable or f"the {self.channel} channel"


@dataclass(frozen=True)
class Discovery:
    browser: Browser | None
    note: str  # why there is none, and how to get one


def _platform_key(platform: str) -> str:
    return "win32" if platform.startswith(("win", "cygwin")) else "darwin" if platform == "darwin" else "linux"


def find_browser(platform: str = sys.platform, env: Mapping[str, str] | None = None,
                 which: Callable[[str], str | None] = shutil.which,
                 is_file: Callable[[str], bool] = os.path.isfile) -> Discovery:
    """A Chromium-based browser on this machine (``platform``, ``env``, ``which`` and
    ``is_file`` are the machine's, replaceable to test another OS's)."""
    env = os.environ if env is None else env
    key = _platform_key(platform)
    how = (f"No Chromium-based browser found: to run the browser test, {INSTALL[key]}; or set {ENV} to a "
           f"browser's path or to a Playwright channel (chrome, msedge)")
    wanted = env.get(ENV, "").strip().strip('"')
    if wanted:
        if wanted.lower() in OFF:
            return Discovery(None, f"{ENV}={wanted}: the browser test is turned off")
        if wanted.lower() in CHANNELS:
            return Discovery(Browser(channel=wanted.lower(), found_by=ENV), "")
        path = wanted if is_file(wanted) else which(wanted)
        if path:
            return Discovery(Browser(executable=path, found_by=ENV), "")
        return Discovery(None, f"{ENV}={wanted} is neither a file, a command on PATH nor a channel "
                               f"({', '.join(CHANNELS)})")
    for command in COMMANDS:
        path = which(command)
        if path:
            return Discovery(Browser(executable=path, found_by="PATH"), "")
    pathmod = ntpath if key == "win32" else posixpath
    for known in KNOWN_PATHS[key]:
        path = _expand(known, env, pathmod)
        if path and is_file(path):
            return Discovery(Browser(executable=path, found_by="known path"), "")
    return Discovery(None, how)


def _expand(path: str, env: Mapping[str, str], pathmod) -> str | None:  # noqa: ANN001
    """``%VAR%`` and ``~`` from ``env`` (not the process's: tests pass another OS's); None if unset."""
    if path.startswith("~"):
        home = env.get("HOME") or env.get("USERPROFILE")
        if not home:
            return None
        path = home + path[1:]
    while "%" in path:
        start = path.index("%")
        end = path.index("%", start + 1)
        name = path[start + 1:end]
        value = next((v for k, v in env.items() if k.upper() == name.upper()), None)
        if not value:
            return None
        path = path[:start] + value + path[end + 1:]
    return pathmod.normpath(path)
