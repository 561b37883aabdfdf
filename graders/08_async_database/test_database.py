"""Public graders for 08_async_database. Each test gets its own SQLite file in a tmp folder
(DATABASE_PATH, set before the app starts: see conftest.py)."""



from grading import check, expect_status, graded

from conftest import ADA, GRACE

ALAN = {"name": "Alan Turing", "email": "alan@example.com"}


def same_user(body: object, want: dict, user_id: int | None = None) -> bool:
    if not isinstance(body, dict):
        return False
    ok = body.get("name") == want["name"] and body.get("email") == want["email"] and isinstance(body.get("id"), int)
    return ok and (user_id is None or body.get("id") == user_id)


async def create(client, user: dict) -> dict:
    response = await client.post("/users", json=user)
    expect_status(response, 201, client.errors, "A successful create answers 201: `@app.post(..., status_code=201)`.")
    body = response.json()
    check(same_user(body, user), f"POST /users {user} returned {body}",
          f'{{"id": <int>, "name": "{user["name"]}", "email": "{user["email"]}"}}',
          "Return the new row's id (cursor.lastrowid) with the name and email.")
    return body


@graded(points=2, task=2, hint="INSERT with `?` placeholders, commit, and return the row with cursor.lastrowid.")
async def test_create_user_returns_201_with_new_id(database, client):
    first = await create(client, ADA)
    second = await create(client, GRACE)
    check(first["id"] != second["id"], f"two users got the same id {first['id']}", "a new id for each user",
          "Let SQLite assign the id (INTEGER PRIMARY KEY) and read it back from the cursor.")


@graded(points=2, task=2, hint="Give `email` a UNIQUE constraint and turn sqlite3.IntegrityError into "
        "HTTPException(409).")
async def test_duplicate_email_is_409(database, client):
    await create(client, ADA)
    response = await client.post("/users", json={"name": "Someone Else", "email": ADA["email"]})
    expect_status(response, 409, client.errors,
                  "The second insert violates the UNIQUE constraint: catch sqlite3.IntegrityError (aiosqlite "
                  "raises the sqlite3 exceptions) and raise HTTPException(status_code=409).")


@graded(points=1, task=2, hint="Declare the body as a Pydantic model with `name: str` and `email: str`; "
        "FastAPI answers 422 for anything else.")
async def test_invalid_body_is_422(database, client):
    await create(client, ADA)
    for bad in ({"name": "No Email"}, {}, {"name": ["not", "a", "string"], "email": "x@example.com"}):
        response = await client.post("/users", json=bad)
        expect_status(response, 422, client.errors)


@graded(points=1, task=3, hint="SELECT ... WHERE id = ? with (user_id,) and return the row as a dict.")
async def test_get_user_returns_the_user(database, client):
    await create(client, ADA)
    grace = await create(client, GRACE)
    response = await client.get(f"/users/{grace['id']}")
    expect_status(response, 200, client.errors)
    check(same_user(response.json(), GRACE, grace["id"]), f"GET /users/{grace['id']} returned {response.json()}",
          str(grace))


@graded(points=2, task=3, hint='No row is not a 200: raise HTTPException(status_code=404, detail="User not found").')
async def test_missing_user_is_404(database, client):
    ada = await create(client, ADA)
    response = await client.get(f"/users/{ada['id']}")
    expect_status(response, 200, client.errors)
    response = await client.get(f"/users/{ada['id'] + 1000}")
    expect_status(response, 404, client.errors,
                  "The tutorial's `return {'error': ...}` answers 200, which tells clients the request worked.")
    check(response.json() == {"detail": "User not found"}, f"the 404 body was {response.json()}",
          '{"detail": "User not found"}')


@graded(points=2, task=4, hint="SELECT ... ORDER BY id and return a JSON list of users.")
async def test_list_users_ordered_by_id(database, client):
    response = await client.get("/users")
    expect_status(response, 200, client.errors)
    check(response.json() == [], f"GET /users on an empty table returned {response.json()}", "[]")
    made = [await create(client, u) for u in (ADA, GRACE, ALAN)]
    response = await client.get("/users")
    expect_status(response, 200, client.errors)
    body = response.json()
    want = sorted(made, key=lambda u: u["id"])
    got = [{k: u.get(k) for k in ("id", "name", "email")} if isinstance(u, dict) else u for u in body] \
        if isinstance(body, list) else body
    check(got == want, f"GET /users returned {body}", f"a list of the 3 users ordered by id: {want}")


@graded(points=2, task=1, hint="Use aiosqlite (or SQLAlchemy's async engine) and `await` every call; "
        "the sqlite3 module blocks the event loop while the query runs.")
async def test_no_blocking_call_while_serving(database, client, blocking):
    ada = await create(client, ADA)
    await create(client, GRACE)
    await client.post("/users", json=ADA)  # the conflict path (its status is graded elsewhere)
    await client.get(f"/users/{ada['id'] + 1000}")  # the missing-row path
    found = await client.get(f"/users/{ada['id']}")
    expect_status(found, 200, client.errors)
    listed = await client.get("/users")
    expect_status(listed, 200, client.errors)
    blocking.assert_none("while serving POST /users, GET /users/{id} and GET /users")
