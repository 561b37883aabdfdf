"""Correct: SQLAlchemy's async engine over aiosqlite, created in lifespan and disposed on shutdown."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

DATABASE_PATH = "users.db"


class UserIn(BaseModel):
    name: str
    email: str


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{DATABASE_PATH}")
    async with engine.begin() as conn:
        await conn.execute(text(
            "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE)"
        ))
    app.state.engine = engine
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


def engine() -> AsyncEngine:
    return app.state.engine


@app.post("/users", status_code=201)
async def create_user(user: UserIn) -> dict:
    try:
        async with engine().begin() as conn:
            result = await conn.execute(text("INSERT INTO users (name, email) VALUES (:name, :email)"),
                                        {"name": user.name, "email": user.email})
    except IntegrityError:
        raise HTTPException(409, "Email already registered") from None
    return {"id": result.lastrowid, "name": user.name, "email": user.email}


@app.get("/users/{user_id}")
async def read_user(user_id: int) -> dict:
    async with engine().connect() as conn:
        row = (await conn.execute(text("SELECT id, name, email FROM users WHERE id = :id"), {"id": user_id})).first()
    if row is None:
        raise HTTPException(404, "User not found")
    return dict(row._mapping)


@app.get("/users")
async def list_users() -> list[dict]:
    async with engine().connect() as conn:
        rows = (await conn.execute(text("SELECT id, name, email FROM users ORDER BY id"))).all()
    return [dict(r._mapping) for r in rows]
