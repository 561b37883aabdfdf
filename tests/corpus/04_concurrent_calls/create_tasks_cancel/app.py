"""Correct: create_task for each, await in turn; on the first failure cancel the rest."""

import asyncio

import httpx
from fastapi import FastAPI, HTTPException

UPSTREAM_URL = "https://api.example.com"
RESOURCES = ("users", "products", "sales")

app = FastAPI()


async def fetch_resource(client: httpx.AsyncClient, name: str):
    response = await client.get(f"{UPSTREAM_URL}/{name}")
    if response.status_code != 200:
        raise httpx.HTTPStatusError(f"{name}: {response.status_code}", request=response.request, response=response)
    return response.json()


@app.get("/dashboard")
async def dashboard():
    async with httpx.AsyncClient(timeout=10) as client:
        tasks = {name: asyncio.create_task(fetch_resource(client, name)) for name in RESOURCES}
        try:
            results = {name: await task for name, task in tasks.items()}
        except httpx.HTTPError:
            for task in tasks.values():
                task.cancel()
            await asyncio.gather(*tasks.values(), return_exceptions=True)
            failed = [n for n, t in tasks.items() if not t.cancelled() and t.exception() is not None]
            raise HTTPException(status_code=502, detail="Upstream failed: " + ", ".join(failed)) from None
    return results
