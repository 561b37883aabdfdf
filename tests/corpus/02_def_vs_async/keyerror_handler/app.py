"""Exercise 02 variant."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from inventory import lookup, lookup_blocking

app = FastAPI(title="02 · def vs async def")


@app.exception_handler(KeyError)
async def unknown_sku(request: Request, exc: KeyError) -> JSONResponse:
    return JSONResponse(status_code=404, content={"detail": f"Unknown sku: {exc.args[0]}"})


@app.get("/legacy/{sku}")
def read_legacy(sku: str) -> dict:
    return lookup_blocking(sku)


@app.get("/modern/{sku}")
async def read_modern(sku: str) -> dict:
    return await lookup(sku)
