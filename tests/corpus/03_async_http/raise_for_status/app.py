"""Correct: app.state client with raise_for_status() and one except chain."""

from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, HTTPException, Request

UPSTREAM_URL = "https://api.example.com"
TIMEOUT = 5.0


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.http = httpx.AsyncClient(base_url=UPSTREAM_URL, timeout=TIMEOUT)
    yield
    await app.state.http.aclose()


app = FastAPI(lifespan=lifespan)


@app.get("/proxy/items/{item_id}")
async def proxy_item(item_id: int, request: Request):
    try:
        response = await request.app.state.http.get(f"/items/{item_id}")
        response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        if exc.response.status_code == 404:
            raise HTTPException(404, "Item not found") from exc
        raise HTTPException(502, f"Upstream error {exc.response.status_code}") from exc
    except httpx.TimeoutException as exc:
        raise HTTPException(504, "Upstream timeout") from exc
    except httpx.HTTPError as exc:
        raise HTTPException(502, "Upstream unreachable") from exc
    return response.json()
