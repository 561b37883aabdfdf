"""Exercise 08: an async database client. See README.md for the tasks.

Run it: nox -s serve -- 08   (from the kit's root), then open /docs and create a user.
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
    yield  # the app starts, but there is no database yet: replace this line
    # END TODO


app = FastAPI(title="08 · async database", lifespan=lifespan)


@app.post("/users", status_code=201)
async def create_user(user: UserIn) -> User:
    # TODO(2): insert the user with *bound* parameters (?), commit, and return it with its
    # new id. An email already in the table is a 409.
    raise NotImplementedError("task 2: POST /users")
    # END TODO


@app.get("/users/{user_id}")
async def read_user(user_id: int) -> User:
    # TODO(3): fetch the user with this id (bound parameter); none → 404 "User not found".
    raise NotImplementedError("task 3: GET /users/{user_id}")
    # END TODO


@app.get("/users")
async def list_users() -> list[User]:
    # TODO(4): return every user, ordered by id.
    raise NotImplementedError("task 4: GET /users")
    # END TODO
