"""Correct: a fresh aiosqlite connection per request from a yield dependency (closed before the
request ends); lifespan only creates the table."""

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import aiosqlite
from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel

DATABASE_PATH = "users.db"


class UserIn(BaseModel):
    name: str
    email: str


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with aiosqlite.connect(DATABASE_PATH) as db:
        await db.execute(
            "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE)"
        )
        await db.commit()
    yield


app = FastAPI(lifespan=lifespan)


async def get_db() -> AsyncIterator[aiosqlite.Connection]:
    async with aiosqlite.connect(DATABASE_PATH) as db:
        db.row_factory = aiosqlite.Row
        yield db


Db = Annotated[aiosqlite.Connection, Depends(get_db)]


@app.post("/users", status_code=201)
async def create_user(user: UserIn, db: Db) -> dict:
    try:
        cursor = await db.execute("INSERT INTO users (name, email) VALUES (?, ?)", (user.name, user.email))
        await db.commit()
    except sqlite3.IntegrityError:
        raise HTTPException(status_code=409, detail="Email already registered") from None
    return {"id": cursor.lastrowid, **user.model_dump()}


@app.get("/users/{user_id}")
async def read_user(user_id: int, db: Db) -> dict:
    cursor = await db.execute("SELECT id, name, email FROM users WHERE id = ?", (user_id,))
    row = await cursor.fetchone()
    await cursor.close()
    if row is None:
        raise HTTPException(status_code=404, detail="User not found")
    return dict(row)


@app.get("/users")
async def list_users(db: Db) -> list[dict]:
    rows = await db.execute_fetchall("SELECT id, name, email FROM users ORDER BY id")
    return [dict(r) for r in rows]
