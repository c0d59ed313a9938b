"""`Subscription.notifications`: the viewer's new notifications, live, over a WebSocket.

Any app process may have written them, so the stream polls the database (a short session of its
own each time, never the connection's) and also looks at once when this process commits.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from core.error_codes import AccountErrorCode
from core.errors import NotAuthenticated
from core.services.notification_feed import NotificationFeed
from core.wakeup import sleep_until
from schema.alerts import Notification
from schema.context import Info
from schema.errors import top_level

POLL_SECONDS = 1.0


@strawberry.type(description="Live events, over a WebSocket (graphql-transport-ws protocol).")
class Subscription:
    @strawberry.subscription(
        description="The viewer's notifications as they are created (exchange requests, "
        "messages, alert matches), oldest first; not those that existed before subscribing."
    )
    async def notifications(self, info: Info) -> AsyncGenerator[Notification, None]:
        context = info.context
        if context.principal is None:
            raise top_level(NotAuthenticated(AccountErrorCode.SIGN_IN_REQUIRED))
        if context.new_session is None:
            raise RuntimeError("subscriptions need Context.new_session")
        feed = NotificationFeed(context.principal)
        with context.commits.listen() as committed:
            async with context.new_session() as session:
                await feed.start(session)
            while True:
                async with context.new_session() as session:
                    rows = await feed.fetch(session)
                for row in rows:
                    yield Notification.from_row(row)
                    await context.end_transaction()
                if len(rows) < feed.batch:
                    await sleep_until(committed, POLL_SECONDS)
