"""`GET /calendar/{token}.ics`: an organization's exchanges, for any calendar application.

The URL is the credential (calendar applications send no other), so an unknown, revoked or
lapsed token gets the same bare 404 as a path that never existed. The feed lists, on either
side, the exchanges ACCEPTED, IN_PROGRESS or COMPLETED that have a period; requested, declined
and cancelled ones never appear.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from api import ics
from core.db import Database
from core.models import ExchangeState
from core.services.calendar_feeds import FeedContent, FeedEvent, aware, feed_content

CACHE_SECONDS = 300
STATE_LABELS = {
    ExchangeState.ACCEPTED: "accepté",
    ExchangeState.IN_PROGRESS: "en cours",
    ExchangeState.COMPLETED: "terminé",
}


def calendar_routes(database: Database) -> list[Route]:
    async def feed(request: Request) -> Response:
        async with database.session() as session:
            content = await feed_content(session, request.path_params["token"])
        if content is None:
            return PlainTextResponse(
                "Not Found", status_code=404, headers={"Cache-Control": "no-store"}
            )
        return Response(
            render(content),
            media_type="text/calendar; charset=utf-8",
            headers={"Cache-Control": f"private, max-age={CACHE_SECONDS}"},
        )

    return [Route("/calendar/{token}.ics", feed, methods=["GET"])]


def render(content: FeedContent) -> str:
    name = f"Entrelieux – {content.name or content.organization_name}"
    events = [_event(event, content.organization_name) for event in content.events]
    return ics.calendar(name, events)


def _event(event: FeedEvent, organization_name: str) -> ics.Event:
    exchange = event.exchange
    assert exchange.starts_at is not None
    assert exchange.ends_at is not None
    owner, requester = (
        (organization_name, event.other_organization)
        if event.own_listing
        else (event.other_organization, organization_name)
    )
    state = ExchangeState(exchange.state)
    description = (
        f"État : {STATE_LABELS.get(state, state.value)} ({state.value})\n"
        f"Annonce : {event.listing_title}, de {owner}\n"
        f"Demandé par : {requester}"
    )
    return ics.Event(
        uid=f"exchange-{exchange.id}@entrelieux",
        stamp=aware(exchange.updated_at),
        start=aware(exchange.starts_at),
        end=aware(exchange.ends_at),
        summary=f"{event.listing_title} – {event.other_organization}",
        description=description,
    )
