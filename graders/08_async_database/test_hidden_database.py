"""Hidden graders for 08_async_database: bound parameters, persistence across a restart,
and nothing left holding the database file after shut-down."""

import asyncio
import sqlite3

import pytest

from grading import CannotTell, app_client, check, expect_status, fail, graded, load_submission, open_handles

from conftest import ADA, GRACE

TRICKY = {"name": "O'Brien\"); DROP TABLE users;--", "email": "o'brien+1@example.com"}


# Distinctive values: bound, they never appear in the SQL text the driver runs.
MARKED = {"name": "Zqx Markername", "email": "zqx.markeremail@example.com"}
ODD_ID = 987654321


class RecordingCursor(sqlite3.Cursor):
    """A cursor that notes the SQL text of every statement it runs (before any parameter is bound)."""

    seen: list[str] = []

    def execute(self, sql, parameters=(), /):
        self.seen.append(str(sql))
        return super().execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters, /):
        self.seen.append(str(sql))
        return super().executemany(sql, seq_of_parameters)

    def executescript(self, sql_script, /):
        self.seen.append(str(sql_script))
        return super().executescript(sql_script)


class RecordingConnection(sqlite3.Connection):
    """sqlite3's trace callback sees the SQL with the values already expanded, so the unexpanded
    text is taken where the driver hands it over: every statement goes through a RecordingCursor."""

    def cursor(self, factory=RecordingCursor):
        return super().cursor(factory)

    def execute(self, sql, parameters=(), /):
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters, /):
        return self.cursor().executemany(sql, seq_of_parameters)

    def executescript(self, sql_script, /):
        return self.cursor().executescript(sql_script)


@pytest.fixture
def statements(monkeypatch) -> list[str]:
    """The SQL text of every statement the app runs: aiosqlite and SQLAlchemy's aiosqlite dialect
    both open their connections through sqlite3.connect."""
    seen: list[str] = []
    connect = sqlite3.connect

    def recording_connect(*args, **kwargs):
        kwargs.setdefault("factory", RecordingConnection)  # an app's own factory is left alone
        return connect(*args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", recording_connect)
    monkeypatch.setattr(RecordingCursor, "seen", seen)
    return seen


def fields(user: object) -> object:
    return {k: user.get(k) for k in ("id", "name", "email")} if isinstance(user, dict) else user


async def create(client, user: dict) -> dict:
    response = await client.post("/users", json=user)
    expect_status(response, 201, client.errors)
    body = fields(response.json())
    check(isinstance(body, dict) and body["name"] == user["name"] and body["email"] == user["email"]
          and isinstance(body["id"], int),
          f"POST /users {user} returned {response.json()}", f"the user {user} with its new id",
          "Bound parameters (`?`) keep quotes and semicolons as plain text in the row.")
    return body


@graded(points=1, task=2, hidden=True, hint="Pass every value as a parameter, `execute(\"... VALUES (?, ?)\", "
        "(name, email))`: a value written into the SQL text, even with its quotes doubled, is injection waiting.")
async def test_values_never_formatted_into_sql(submission, database, exercise_dir, statements):
    async with app_client(submission.app, [exercise_dir]) as client:
        await create(client, MARKED)
        # Only the SQL matters here; what these answer, other tests check.
        await client.get(f"/users/{ODD_ID}")
        await client.get("/users")
    if not statements:
        pytest.skip("no statement went through sqlite3.connect: whether values are bound was not checked")
    for sql in statements:
        for value in (MARKED["name"], MARKED["email"], str(ODD_ID)):
            check(value not in sql, f"the app ran SQL with a request's value written into it: {sql.strip()[:200]}",
                  f"{value!r} passed as a bound parameter, the SQL text holding only `?` (or :name)",
                  "Never build SQL with f-strings, % or +, even with quotes escaped by hand: "
                  "`execute(\"... WHERE id = ?\", (user_id,))`.")


@graded(points=2, task=2, hidden=True, hint="Never build SQL with f-strings or %: pass values as parameters, "
        "`execute(\"... VALUES (?, ?)\", (name, email))`.")
async def test_parameters_are_bound(database, client):
    await create(client, ADA)
    tricky = await create(client, TRICKY)
    response = await client.get(f"/users/{tricky['id']}")
    expect_status(response, 200, client.errors)
    check(fields(response.json()) == tricky, f"GET /users/{tricky['id']} returned {response.json()}", str(tricky))
    response = await client.get("/users")
    expect_status(response, 200, client.errors)
    names = [u.get("name") for u in response.json()] if isinstance(response.json(), list) else response.json()
    check(names == [ADA["name"], TRICKY["name"]], f"GET /users then listed the names {names}",
          f"both users, the second named {TRICKY['name']!r} exactly")


@graded(points=2, task=1, hidden=True, hint="Commit after writing, and read DATABASE_PATH in lifespan: a restart "
        "on the same file must find the users again.")
async def test_data_survives_restart(submission, database, exercise_dir):
    async with app_client(submission.app, [exercise_dir]) as client:
        ada = await create(client, ADA)
        grace = await create(client, GRACE)
    again = load_submission(exercise_dir)  # a fresh import, as after a server restart
    again.DATABASE_PATH = str(database)
    async with app_client(again.app, [exercise_dir]) as client:
        response = await client.get("/users")
        expect_status(response, 200, client.errors)
        got = [fields(u) for u in response.json()] if isinstance(response.json(), list) else response.json()
        check(got == [ada, grace], f"after a restart on the same file, GET /users returned {response.json()}",
              f"the two users created before the restart: {[ada, grace]}",
              "Did you commit? Closing a connection rolls back what was not committed.")
        response = await client.get(f"/users/{grace['id']}")
        expect_status(response, 200, client.errors)
        third = await create(client, {"name": "Alan Turing", "email": "alan@example.com"})
        check(third["id"] not in (ada["id"], grace["id"]), f"a user created after the restart got id {third['id']}",
              "a new id")


@graded(points=2, task=1, hidden=True, hint="Close what lifespan opened after its `yield` (await db.close(), or "
        "await engine.dispose()); a per-request connection belongs in `async with`.")
async def test_database_file_released_after_shutdown(submission, database, exercise_dir):
    async with app_client(submission.app, [exercise_dir]) as client:
        ada = await create(client, ADA)
        await client.post("/users", json=ADA)
        await client.get(f"/users/{ada['id']}")
        await client.get(f"/users/{ada['id'] + 1000}")
        response = await client.get("/users")
        expect_status(response, 200, client.errors)
    check(database.exists(), f"no file was created at DATABASE_PATH ({database.name})",
          "the SQLite database at DATABASE_PATH", "Read DATABASE_PATH when the app starts, not at import.")
    try:
        left = open_handles(database)
    except CannotTell as exc:
        pytest.skip(f"{exc}: whether the database file was released was not checked")
    if left:
        fail(f"after shut-down, {len(left)} file handle(s) still held the database open: {', '.join(left)}",
             "every connection closed when the app stops",
             "A connection opened in lifespan must be closed after `yield`; an engine must be disposed.")


@graded(points=1, task=2, hidden=True, hint="A failed insert must not leave anything behind: the first user keeps "
        "the email, and later inserts still work.")
async def test_conflict_keeps_data_consistent(database, client):
    ada = await create(client, ADA)
    response = await client.post("/users", json={"name": "Impostor", "email": ADA["email"]})
    expect_status(response, 409, client.errors)
    grace = await create(client, GRACE)
    response = await client.get("/users")
    expect_status(response, 200, client.errors)
    got = [fields(u) for u in response.json()] if isinstance(response.json(), list) else response.json()
    check(got == [ada, grace], f"after a 409 and another insert, GET /users returned {response.json()}",
          f"exactly {[ada, grace]}")


@graded(points=1, task=2, hidden=True, hint="Let the database decide: a UNIQUE constraint on email, and the "
        "insert's IntegrityError turned into a 409. A SELECT first, then an INSERT, leaves a gap in which another "
        "request with the same email gets in.")
async def test_two_identical_posts_at_once_create_one_user(database, client):
    first, second = await asyncio.gather(client.post("/users", json=ADA), client.post("/users", json=ADA))
    statuses = sorted([first.status_code, second.status_code])
    listed = await client.get("/users")
    expect_status(listed, 200, client.errors)
    users = listed.json() if isinstance(listed.json(), list) else []
    check(statuses == [201, 409] and len(users) == 1,
          f"two identical POST /users at once answered {statuses}, and GET /users then listed {len(users)} "
          f"user(s): {str(listed.json())[:160]}",
          "one 201 and one 409, and exactly one user stored: an email is used at most once")


@graded(points=1, task=3, hidden=True, hint="Type the path parameter, `user_id: int`, and FastAPI validates it.")
async def test_user_id_must_be_an_int(database, client):
    ada = await create(client, ADA)
    response = await client.get(f"/users/{ada['id']}")
    expect_status(response, 200, client.errors)
    response = await client.get("/users/ada")
    expect_status(response, 422, client.errors)
