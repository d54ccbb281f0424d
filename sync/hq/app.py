"""The HQ HTTP API (FastAPI; OpenAPI at ``/openapi.json``, docs at ``/docs``).

Endpoints (protocol version 1, every call with ``Authorization: Bearer <device
token>`` and ``X-POS-Protocol: 1``):

* ``POST /v1/push``: a batch of outbox events; per-event accepted / duplicate /
  rejected and how far the device is acknowledged.
* ``GET /v1/pull?cursor=N&limit=M``: the next page of the change feed.
* ``GET /v1/bootstrap?cursor=N&limit=M``: the same pages in bigger sizes, for a
  store far behind (its first download).
* ``POST /v1/authorize``: may a member spend this many points now?
* ``GET /v1/health``: no token needed.

A missing or unknown token is 401, a device writing as another store 403, a
missing or unsupported protocol version 400; bad bodies are 422 and change
nothing. The app holds no state of its own: run as many workers as needed.

(No ``from __future__ import annotations`` here: FastAPI reads the endpoint
annotations, which name the local token dependency.)
"""

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from pos_app import __version__
from sync.hq import service
from sync.hq.service import DeviceIdentity
from sync.protocol import (
    MAX_BOOTSTRAP_PAGE,
    MAX_PULL_PAGE,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    AuthorizeRequest,
    AuthorizeResponse,
    PullResponse,
    PushRequest,
    PushResponse,
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_app(engine: Engine, *, clock: Callable[[], dt.datetime] = _utc_now) -> FastAPI:
    app = FastAPI(
        title="Points counter HQ",
        version=__version__,
        description="Store sync for the points counter: push outbox events, pull changes.",
    )

    def device(
        authorization: Annotated[str | None, Header()] = None,
        protocol: Annotated[str | None, Header(alias=PROTOCOL_HEADER)] = None,
    ) -> DeviceIdentity:
        if protocol is None:
            raise HTTPException(400, f"send the protocol version in {PROTOCOL_HEADER}")
        if protocol.strip() != str(PROTOCOL_VERSION):
            raise HTTPException(
                400,
                f"protocol version {protocol[:20]!r} is not supported; this HQ speaks "
                f"version {PROTOCOL_VERSION} (update the counter software)",
            )
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(401, "a device token is required", {"WWW-Authenticate": "Bearer"})
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT d.id, d.store_code, d.device_code FROM hq_devices d "
                    "JOIN hq_stores s ON s.code = d.store_code "
                    "WHERE d.token_hash = :hash AND d.active AND s.active"
                ),
                {"hash": token_hash(token.strip())},
            ).one_or_none()
        if row is None:
            raise HTTPException(
                401, "unknown or disabled device token", {"WWW-Authenticate": "Bearer"}
            )
        return DeviceIdentity(row.id, row.store_code, row.device_code)

    Device = Annotated[DeviceIdentity, Depends(device)]

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own handler echoes the input back, which fails on bytes that are not
        # UTF-8; where and what is enough to say
        detail = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": detail}, 422)

    @app.exception_handler(OperationalError)
    async def _database_down(_request: Request, _exc: OperationalError) -> JSONResponse:
        return JSONResponse({"detail": "the HQ database is not reachable; try again"}, 503)

    @app.get("/v1/health")
    def health() -> dict[str, object]:
        return {"status": "ok", "protocol": PROTOCOL_VERSION, "version": __version__}

    @app.post("/v1/push")
    def push(body: PushRequest, dev: Device) -> PushResponse:
        if (body.store_code, body.device_code) != (dev.store_code, dev.device_code):
            raise HTTPException(
                403,
                f"this token belongs to {dev.origin}; it cannot push for "
                f"{body.store_code}/{body.device_code}",
            )
        return service.push(engine, dev, body, clock())

    @app.get("/v1/pull")
    def pull(
        dev: Device,
        cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = 1000,
        feed_schema: Annotated[int, Query(ge=1, le=1000)] = service.FEED_SCHEMA,
    ) -> PullResponse:
        return service.pull(engine, dev, cursor, limit, clock(), feed_schema=feed_schema)

    @app.get("/v1/bootstrap", response_model=PullResponse)
    def bootstrap(
        dev: Device,
        cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_BOOTSTRAP_PAGE)] = MAX_BOOTSTRAP_PAGE,
        feed_schema: Annotated[int, Query(ge=1, le=1000)] = service.FEED_SCHEMA,
    ) -> Response:
        """The feed as ``/v1/pull`` sends it, in bigger pages written around the stored
        JSON: for a store far behind (a new store's first download)."""
        body = service.pull_encoded(engine, dev, cursor, limit, clock(), feed_schema=feed_schema)
        return Response(body, media_type="application/json")

    @app.post("/v1/authorize")
    def authorize(body: AuthorizeRequest, dev: Device) -> AuthorizeResponse:
        return service.authorize(engine, dev, body)

    return app
