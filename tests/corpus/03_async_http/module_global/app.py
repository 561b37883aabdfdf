"""Correct: a module-level client set in lifespan and closed with aclose() after the yield."""

from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, HTTPException

UPSTREAM_URL = "https://api.example.com"
TIMEOUT = 5.0

client: httpx.AsyncClient | None = None


@asynccontextmanager
async def lifespan(app: FastAPI):
    global client
    client = httpx.AsyncClient(timeout=TIMEOUT)
    try:
        yield
    finally:
        await client.aclose()
        client = None


app = FastAPI(lifespan=lifespan)


@app.get("/proxy/items/{item_id}")
async def proxy_item(item_id: int):
    assert client is not None
    try:
        response = await client.get(f"{UPSTREAM_URL}/items/{item_id}")
    except httpx.TimeoutException:
        raise HTTPException(status_code=504, detail="timeout") from None
    except httpx.HTTPError:
        raise HTTPException(status_code=502, detail="bad gateway") from None
    if response.status_code == 404:
        raise HTTPException(status_code=404, detail="not found")
    if response.status_code >= 300 or response.status_code < 200:
        raise HTTPException(status_code=502, detail="bad gateway")
    return response.json()
