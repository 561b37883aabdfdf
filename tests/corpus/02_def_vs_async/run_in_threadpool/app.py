"""Exercise 02 variant."""

from fastapi import FastAPI, HTTPException
from inventory import lookup, lookup_blocking
from starlette.concurrency import run_in_threadpool

app = FastAPI(title="02 · def vs async def")


@app.get("/legacy/{sku}")
async def read_legacy(sku: str) -> dict:
    try:
        return await run_in_threadpool(lookup_blocking, sku)
    except KeyError:
        raise HTTPException(status_code=404, detail=f"Unknown sku: {sku}") from None


@app.get("/modern/{sku}")
async def read_modern(sku: str) -> dict:
    try:
        return await lookup(sku)
    except KeyError:
        raise HTTPException(status_code=404, detail=f"Unknown sku: {sku}") from None
