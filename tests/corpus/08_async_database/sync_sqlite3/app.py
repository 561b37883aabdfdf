"""Wrong: the sync sqlite3 module inside async def endpoints blocks the event loop on every query."""

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

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
    # table with SCHEMA, keep the connection in app.state.db, yield, and close it on shutdown.
    db = sqlite3.connect(DATABASE_PATH)
    db.row_factory = sqlite3.Row
    try:
        db.execute(SCHEMA)
        db.commit()
        app.state.db = db
        yield
    finally:
        db.close()


app = FastAPI(title="08 · async database", lifespan=lifespan)


@app.post("/users", status_code=201)
async def create_user(user: UserIn) -> User:
    # new id. An email already in the table is a 409.
    db: sqlite3.Connection = app.state.db
    try:
        cursor = db.execute("INSERT INTO users (name, email) VALUES (?, ?)", (user.name, user.email))
        db.commit()
    except sqlite3.IntegrityError:  # the UNIQUE constraint on email
        raise HTTPException(status_code=409, detail="Email already registered") from None
    return User(id=cursor.lastrowid, name=user.name, email=user.email)


@app.get("/users/{user_id}")
async def read_user(user_id: int) -> User:
    db: sqlite3.Connection = app.state.db
    row = db.execute("SELECT id, name, email FROM users WHERE id = ?", (user_id,)).fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="User not found")
    return User(**dict(row))


@app.get("/users")
async def list_users() -> list[User]:
    db: sqlite3.Connection = app.state.db
    rows = db.execute("SELECT id, name, email FROM users ORDER BY id").fetchall()
    return [User(**dict(row)) for row in rows]
