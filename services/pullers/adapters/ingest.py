"""Handing a pulled order to ingest: `POST /v1/channels/{channel}/orders` with the integration's
key, the order exactly as the channel's API returned it.

Ingest is the one place that maps and validates channel payloads. Its answers mean:
2xx - the order's command is confirmed on the broker; 400/413/422 - the order is malformed
(the problem names the fields): it is parked; 401 - the integration's key is wrong: nothing
can be handed over until someone fixes the configuration; 429, 5xx, no answer - try again
later, with back-off, and then give up this pull without moving the watermark.
"""

from __future__ import annotations

import logging

import httpx

from services.pullers.adapters.channels.calls import Retrying
from services.pullers.domain.orders import PulledOrder, Refusal
from services.pullers.settings import IntegrationSettings
from services.pullers.use_cases.ports import (
    ChannelUnavailable,
    IngestRefusedIntegration,
    IngestUnavailable,
)
from shared.contracts.replies import FieldError

log = logging.getLogger(__name__)
MALFORMED = frozenset({400, 413, 422})


class IngestClient:
    def __init__(self, base_url: str, http: httpx.AsyncClient, retrying: Retrying) -> None:
        self._base = base_url.rstrip("/")
        self._http = http
        self._retrying = retrying

    async def hand_over(
        self, integration: IntegrationSettings, order: PulledOrder
    ) -> Refusal | None:
        url = f"{self._base}/v1/channels/{integration.channel}/orders"
        headers = {
            "Authorization": f"Bearer {integration.ingest_key.get_secret_value()}",
            "X-Correlation-ID": f"{integration.name}:{order.order_id}"[:100],
        }
        try:
            response = await self._retrying.call(
                "ingest",
                lambda: self._http.post(url, json=order.payload, headers=headers),
            )
        except ChannelUnavailable as error:
            raise IngestUnavailable(str(error)) from error
        if response.is_success:
            return None
        if response.status_code in MALFORMED:
            return _refusal(response)
        raise IngestRefusedIntegration(
            f"ingest answered {response.status_code} for {integration.name}: {response.text[:300]}"
        )


def _refusal(response: httpx.Response) -> Refusal:
    try:
        problem = response.json()
    except ValueError:
        return Refusal(reason=f"HTTP {response.status_code}: {response.text[:500]}")
    if not isinstance(problem, dict):
        return Refusal(reason=f"HTTP {response.status_code}")
    errors = tuple(
        FieldError(field=str(e.get("field", "body")), message=str(e.get("message", "")))
        for e in problem.get("errors") or []
        if isinstance(e, dict)
    )
    reason = problem.get("detail") or problem.get("title") or f"HTTP {response.status_code}"
    return Refusal(reason=str(reason)[:1000], errors=errors)
