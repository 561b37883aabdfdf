"""Correct: asyncio.wait(FIRST_EXCEPTION), then cancel whatever is still pending."""

import asyncio

import httpx
from fastapi import FastAPI, HTTPException

UPSTREAM_URL = "https://api.example.com"
RESOURCES = ("users", "products", "sales")

app = FastAPI()


async def fetch(client: httpx.AsyncClient, name: str):
    response = await client.get(f"{UPSTREAM_URL}/{name}")
    response.raise_for_status()
    return response.json()


@app.get("/dashboard")
async def dashboard() -> dict:
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0)) as client:
        tasks = {asyncio.create_task(fetch(client, name)): name for name in RESOURCES}
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
    failed = [tasks[t] for t in done if t.exception() is not None]
    if failed:
        raise HTTPException(502, detail=f"bad gateway: {sorted(failed)}")
    return {tasks[t]: t.result() for t in done}
