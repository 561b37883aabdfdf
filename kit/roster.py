"""The class roster and submission times: standard library only, so the private repository's
gradebook workflow can read its roster before any dependency is installed.

A roster is a CSV with a header: ``folder,id,name,email`` and, optionally, ``repository``
(the student's GitHub ``owner/name``, for the private gradebook workflow), ``section``,
``canvas_id`` and ``sis_login_id`` (for the Canvas export). ``folder`` is the name of the
student's folder or .zip (without .zip) in the class folder.

    python -m kit.roster matrix roster.csv    # `matrix=[...]` and `count=N` for $GITHUB_OUTPUT
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

REQUIRED = ("folder", "id", "name", "email")


class RosterError(Exception):
    """A roster or a late policy that cannot be used; the message is one line."""


@dataclass
class Entry:
    folder: str
    id: str
    name: str
    email: str
    extra: dict[str, str] = field(default_factory=dict)


def label_of(name: str) -> str:
    """A folder or zip name as a file-safe label (the gradebook's row key)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "student"


def read(path: Path) -> dict[str, Entry]:
    """Roster entries by label of their folder, in file order."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
            header = [h.strip().lower() for h in (rows[0].keys() if rows else [])]
    except OSError as exc:
        raise RosterError(f"cannot read the roster '{path}': {exc.strerror}") from None
    if not rows:
        raise RosterError(f"the roster '{path}' has no rows (header: {', '.join(REQUIRED)})")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RosterError(f"the roster '{path}' lacks the column(s) {', '.join(missing)} "
                          f"(expected a header {','.join(REQUIRED)})")
    entries: dict[str, Entry] = {}
    for n, row in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        if not row["folder"]:
            raise RosterError(f"{path}:{n}: the folder is empty")
        label = label_of(row["folder"].removesuffix(".zip"))
        if label in entries:
            raise RosterError(f"{path}:{n}: the folder '{row['folder']}' is listed twice")
        entries[label] = Entry(row["folder"], row["id"], row["name"], row["email"],
                               {k: v for k, v in row.items() if k not in REQUIRED})
    return entries


def matrix(path: Path) -> list[dict[str, str]]:
    """One matrix entry per roster row that names a repository (the private gradebook workflow)."""
    out = []
    for label, e in read(path).items():
        repo = e.extra.get("repository", "")
        if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repo):
            raise RosterError(f"{path}: '{e.folder}' has no repository owner/name (column `repository`)")
        out.append({"folder": label, "repository": repo})
    return out


# --- when a submission was handed in --------------------------------------------------------

def submission_time(source: Path) -> tuple[datetime | None, str]:
    """When ``source`` was handed in, and how that is known.

    A git repository: its last commit (``git log -1 --format=%cI``), which a clone keeps.
    Otherwise the newest file in it (a zip: the newest member's time stamp, local time).
    """
    if source.is_dir() and (source / ".git").exists():
        try:
            proc = subprocess.run(["git", "-C", str(source), "log", "-1", "--format=%cI"],
                                  capture_output=True, text=True, timeout=30)
            if proc.returncode == 0 and proc.stdout.strip():
                return datetime.fromisoformat(proc.stdout.strip()), "last git commit"
        except (OSError, subprocess.TimeoutExpired, ValueError):
            pass
    if source.is_file() and source.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(source) as zf:
                stamps = [datetime(*m.date_time) for m in zf.infolist() if not m.is_dir()]
            if stamps:
                return max(stamps).astimezone(), "newest file in the zip"
        except (zipfile.BadZipFile, OSError, ValueError):
            pass
        return datetime.fromtimestamp(source.stat().st_mtime).astimezone(), "time of the zip file"
    newest = 0.0
    if source.is_dir():
        for p in source.rglob("*"):
            if p.is_file() and not {".git", "__pycache__", ".nox", ".venv"} & set(p.parts):
                newest = max(newest, p.stat().st_mtime)
    if not newest:
        return None, "no file"
    return datetime.fromtimestamp(newest).astimezone(), "newest file"


# --- deadlines and late penalties -------------------------------------------------------------

def parse_time(text: str) -> datetime:
    """ISO 8601; without an offset, UTC (write `+01:00` for another zone)."""
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise RosterError(f"'{text}' is not a date and time such as 2026-12-15T23:59") from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


@dataclass
class LatePolicy:
    deadline: datetime
    per_unit: float = 0.0  # fraction of the score lost per started unit late
    unit: timedelta = timedelta(days=1)
    cutoff: datetime | None = None

    @classmethod
    def parse(cls, deadline: str, penalty: str | None, cutoff: str | None) -> LatePolicy:
        per_unit, unit = 0.0, timedelta(days=1)
        if penalty:
            m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*/\s*(day|hour)\s*", penalty)
            if not m:
                raise RosterError(f"--late-penalty '{penalty}' is not like 10%/day or 5%/hour")
            per_unit, unit = float(m[1]) / 100, timedelta(days=1) if m[2] == "day" else timedelta(hours=1)
        policy = cls(parse_time(deadline), per_unit, unit, parse_time(cutoff) if cutoff else None)
        if policy.cutoff and policy.cutoff < policy.deadline:
            raise RosterError("--late-cutoff is before --deadline")
        return policy

    def describe(self) -> str:
        unit = "day" if self.unit == timedelta(days=1) else "hour"
        text = f"deadline {self.deadline.isoformat()}, {self.per_unit:.0%} off per started {unit} late"
        return text + (f", 0 after {self.cutoff.isoformat()}" if self.cutoff else "")

    def apply(self, submitted: datetime | None) -> tuple[int, float]:
        """(units late, fraction of the score kept) for a submission time."""
        if submitted is None or submitted <= self.deadline:
            return 0, 1.0
        if self.cutoff and submitted > self.cutoff:
            return -(-(submitted - self.deadline) // self.unit), 0.0
        late = -(-(submitted - self.deadline) // self.unit)  # started units: ceil
        return late, max(0.0, 1.0 - late * self.per_unit)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "matrix":
        print("usage: python -m kit.roster matrix ROSTER.csv", file=sys.stderr)
        return 2
    try:
        entries = matrix(Path(args[1]))
    except RosterError as exc:
        print(f"roster: error: {exc}", file=sys.stderr)
        return 2
    print(f"matrix={json.dumps(entries)}")
    print(f"count={len(entries)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
