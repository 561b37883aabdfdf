"""Correct: SQLAlchemy ORM with AsyncSession; a duplicate email is found by a SELECT before inserting."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel
from sqlalchemy import String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_PATH = "users.db"


class Base(DeclarativeBase):
    pass


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String)
    email: Mapped[str] = mapped_column(String, unique=True)


class UserIn(BaseModel):
    name: str
    email: str


class UserOut(UserIn):
    id: int


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    engine = create_async_engine("sqlite+aiosqlite:///" + DATABASE_PATH)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    app.state.sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        yield
    finally:
        await engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.post("/users", status_code=201, response_model=UserOut)
async def create_user(user: UserIn, request: Request) -> UserRow:
    async with request.app.state.sessions() as session:
        taken = await session.scalar(select(UserRow.id).where(UserRow.email == user.email))
        if taken is not None:
            raise HTTPException(status_code=409, detail="Email already registered")
        row = UserRow(name=user.name, email=user.email)
        session.add(row)
        try:
            await session.commit()
        except IntegrityError:  # the same email, inserted by a request that passed the SELECT at the same time
            raise HTTPException(status_code=409, detail="Email already registered") from None
        return row


@app.get("/users/{user_id}", response_model=UserOut)
async def read_user(user_id: int, request: Request) -> UserRow:
    async with request.app.state.sessions() as session:
        row = await session.get(UserRow, user_id)
    if row is None:
        raise HTTPException(status_code=404, detail="User not found")
    return row


@app.get("/users", response_model=list[UserOut])
async def list_users(request: Request) -> list[UserRow]:
    async with request.app.state.sessions() as session:
        return list(await session.scalars(select(UserRow).order_by(UserRow.id)))
