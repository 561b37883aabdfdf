"""Exercise 02 variant."""

from fastapi import FastAPI
from inventory import lookup, lookup_blocking

app = FastAPI(title="02 · def vs async def")


@app.get("/legacy/{sku}")
def read_legacy(sku: str) -> dict:
    return lookup_blocking(sku)


@app.get("/modern/{sku}")
async def read_modern(sku: str) -> dict:
    return await lookup(sku)
