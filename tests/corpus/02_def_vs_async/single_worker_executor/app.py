"""Exercise 02 variant."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI, HTTPException
from inventory import lookup, lookup_blocking

app = FastAPI(title="02 · def vs async def")

LEGACY = ThreadPoolExecutor(max_workers=1)  # one worker: calls queue


@app.get("/legacy/{sku}")
async def read_legacy(sku: str) -> dict:
    try:
        return await asyncio.get_running_loop().run_in_executor(LEGACY, lookup_blocking, sku)
    except KeyError:
        raise HTTPException(status_code=404, detail=f"Unknown sku: {sku}") from None


@app.get("/modern/{sku}")
async def read_modern(sku: str) -> dict:
    try:
        return await lookup(sku)
    except KeyError:
        raise HTTPException(status_code=404, detail=f"Unknown sku: {sku}") from None
