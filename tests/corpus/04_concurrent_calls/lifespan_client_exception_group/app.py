"""Correct: one client opened in lifespan; TaskGroup; failed names read from the ExceptionGroup."""

import asyncio
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, HTTPException, Request

UPSTREAM_URL = "https://api.example.com"


@asynccontextmanager
async def lifespan(app: FastAPI):
    async with httpx.AsyncClient(base_url=UPSTREAM_URL, timeout=10) as client:
        app.state.client = client
        yield


app = FastAPI(lifespan=lifespan)


async def get_json(client: httpx.AsyncClient, path: str):
    response = (await client.get(path)).raise_for_status()
    return response.json()


@app.get("/dashboard")
async def dashboard(request: Request):
    client = request.app.state.client
    try:
        async with asyncio.TaskGroup() as tg:
            users = tg.create_task(get_json(client, "/users"))
            products = tg.create_task(get_json(client, "/products"))
            sales = tg.create_task(get_json(client, "/sales"))
    except* httpx.HTTPError as group:
        names = sorted({exc.request.url.path.lstrip("/") for exc in group.exceptions})
        raise HTTPException(status_code=502, detail=f"{', '.join(names)} unavailable") from None
    return {"users": users.result(), "products": products.result(), "sales": sales.result()}
