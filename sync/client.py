"""The store's HTTP client for HQ (httpx), with short timeouts and clear errors.

``HQUnavailable`` means "try again later" (no network, timeout, HQ or its
database down); ``HQRefused`` means HQ answered no (bad token, wrong store,
unsupported version, a request it cannot read) and retrying will not help.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from pos_app.services.bootstrap import parse_body
from sync.protocol import (
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    AuthorizeRequest,
    AuthorizeResponse,
    PullResponse,
    PushRequest,
    PushResponse,
)

DEFAULT_TIMEOUT_S = 10.0


#: a bootstrap page is big: give HQ longer to write it
BULK_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class BulkPage:
    """A page of ``/v1/bootstrap``: :class:`PullResponse` with the changes as dicts."""

    changes: list[dict[str, Any]]
    #: the member and card changes were validated on the way in
    #: (:func:`pos_app.services.bootstrap.parse_body`)
    checked: bool
    next_cursor: int
    more: bool
    refetch: bool
    head: int


class HQUnavailable(Exception):
    """HQ could not be reached or could not answer now."""


class HQRefused(Exception):
    """HQ answered with a refusal (4xx)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HQ refused ({status}): {message}")
        self.status = status
        self.message = message


class HQClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        verify: bool | str = True,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            verify=verify,
            headers={
                "Authorization": f"Bearer {token}",
                PROTOCOL_HEADER: str(PROTOCOL_VERSION),
            },
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HQClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _call(
        self,
        method: str,
        path: str,
        answer: type[BaseModel],
        *,
        body: BaseModel | None = None,
        params: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Any:
        try:
            response = self._http.request(
                method,
                path,
                content=None if body is None else body.model_dump_json(),
                headers={"Content-Type": "application/json"} if body is not None else None,
                params=params,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.HTTPError as exc:
            raise HQUnavailable(f"cannot reach HQ at {self.base_url}: {exc}") from exc
        if response.status_code >= 500:
            raise HQUnavailable(f"HQ answered {response.status_code}: {_detail(response)}")
        if response.status_code >= 400:
            raise HQRefused(response.status_code, _detail(response))
        try:
            return answer.model_validate_json(response.content)
        except ValidationError as exc:
            raise HQUnavailable(f"HQ sent an answer this counter cannot read: {exc}") from exc

    def push(self, request: PushRequest) -> PushResponse:
        result: PushResponse = self._call("POST", "/v1/push", PushResponse, body=request)
        return result

    def pull(self, cursor: int, limit: int = 1000) -> PullResponse:
        result: PullResponse = self._call(
            "GET", "/v1/pull", PullResponse, params={"cursor": cursor, "limit": limit}
        )
        return result

    def pull_bulk(self, cursor: int, limit: int) -> BulkPage:
        """A big page of the feed from ``/v1/bootstrap`` (a new store's download): the
        envelope checked here, the changes read straight from the JSON into the store's
        bulk form (:func:`pos_app.services.bootstrap.parse_body`, which checks members
        and cards on the way). ``HQRefused`` (404) from an HQ without the endpoint."""
        try:
            response = self._http.get(
                "/v1/bootstrap",
                params={"cursor": cursor, "limit": limit},
                timeout=max(self._http.timeout.read or 0, BULK_TIMEOUT_S),
            )
        except httpx.HTTPError as exc:
            raise HQUnavailable(f"cannot reach HQ at {self.base_url}: {exc}") from exc
        if response.status_code >= 500:
            raise HQUnavailable(f"HQ answered {response.status_code}: {_detail(response)}")
        if response.status_code >= 400:
            raise HQRefused(response.status_code, _detail(response))
        try:
            parsed = parse_body(response.content)
            envelope = PullResponse.model_validate({**parsed.rest, "changes": []})
        except (ValueError, TypeError, AttributeError, KeyError, ValidationError) as exc:
            raise HQUnavailable(f"HQ sent an answer this counter cannot read: {exc}") from exc
        return BulkPage(
            changes=parsed.changes,
            checked=parsed.checked,
            next_cursor=envelope.next_cursor,
            more=envelope.more,
            refetch=envelope.refetch,
            head=envelope.head,
        )

    def authorize(self, request: AuthorizeRequest, *, timeout: float = 2.0) -> AuthorizeResponse:
        result: AuthorizeResponse = self._call(
            "POST", "/v1/authorize", AuthorizeResponse, body=request, timeout=timeout
        )
        return result


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        return response.text[:200]
    return str(detail)[:300]
