"""What 08's public and hidden graders share: every test's own SQLite file, and two users."""

from pathlib import Path

import pytest

ADA = {"name": "Ada Lovelace", "email": "ada@example.com"}
GRACE = {"name": "Grace Hopper", "email": "grace@example.com"}

@pytest.fixture
def knobs(knobs, tmp_path: Path) -> dict[str, object]:
    """Every test's DATABASE_PATH is a fresh file in its own folder, set before the app starts."""
    return {"DATABASE_PATH": str(tmp_path / "users.db"), **knobs}


@pytest.fixture
def database(knobs) -> Path:
    """The test's database file (DATABASE_PATH)."""
    return Path(knobs["DATABASE_PATH"])
