"""Correct: the seed's gather, with return_exceptions=True (waits for all, names every failure)."""

import asyncio

import httpx
from fastapi import FastAPI, HTTPException

UPSTREAM_URL = "https://api.example.com"
RESOURCES = ("users", "products", "sales")

app = FastAPI()


async def fetch_resource(client: httpx.AsyncClient, url: str):
    response = await client.get(url)
    response.raise_for_status()
    return response.json()


@app.get("/dashboard")
async def get_dashboard():
    async with httpx.AsyncClient(timeout=10) as client:
        results = await asyncio.gather(
            *(fetch_resource(client, f"{UPSTREAM_URL}/{name}") for name in RESOURCES), return_exceptions=True
        )
    failed = [name for name, result in zip(RESOURCES, results, strict=True) if isinstance(result, Exception)]
    if failed:
        raise HTTPException(status_code=502, detail=f"failed upstreams: {failed}")
    users, products, sales = results
    return {"users": users, "products": products, "sales": sales}
