"""Exercise 08: an async database client. See README.md for the tasks.

Run it: uvicorn app:app --reload   (from this folder), then open /docs and create a user.
"""

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosqlite
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

DATABASE_PATH = "users.db"  # the SQLite file; graders change it

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE
)
"""


class UserIn(BaseModel):
    name: str
    email: str


class User(UserIn):
    id: int


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # TODO(1): open ONE aiosqlite connection to DATABASE_PATH (read it here), create the
    # table with SCHEMA, keep the connection in app.state.db, yield, and close it on shutdown.
    db = await aiosqlite.connect(DATABASE_PATH)
    db.row_factory = aiosqlite.Row
    await db.execute(SCHEMA)
    await db.commit()
    app.state.db = db
    try:
        yield
    finally:
        await db.close()
    # END TODO


app = FastAPI(title="08 · async database", lifespan=lifespan)


@app.post("/users", status_code=201)
async def create_user(user: UserIn) -> User:
    # TODO(2): insert the user with *bound* parameters (?), commit, and return it with its
    # new id. An email already in the table is a 409.
    db = app.state.db
    try:
        cursor = await db.execute("INSERT INTO users (name, email) VALUES (?, ?)", (user.name, user.email))
        await db.commit()
    except sqlite3.IntegrityError:
        raise HTTPException(status_code=409, detail="Email already registered") from None
    return User(id=cursor.lastrowid, name=user.name, email=user.email)
    # END TODO


@app.get("/users/{user_id}")
async def read_user(user_id: int) -> User:
    # TODO(3): fetch the user with this id (bound parameter); none → 404 "User not found".
    async with app.state.db.execute(f"SELECT id, name, email FROM users WHERE id = {user_id}") as cursor:
        row = await cursor.fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="User not found")
    return User(**dict(row))
    # END TODO


@app.get("/users")
async def list_users() -> list[User]:
    # TODO(4): return every user, ordered by id.
    async with app.state.db.execute("SELECT id, name, email FROM users ORDER BY id") as cursor:
        rows = await cursor.fetchall()
    return [User(**dict(r)) for r in rows]
    # END TODO
