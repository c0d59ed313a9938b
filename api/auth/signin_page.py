"""`GET /auth/signin`: a plain page offering the configured providers (until the web app's own).

ProConnect gets its own button, as its guidelines ask; in development the demo accounts of the
development provider are listed with their password, so anyone can try the exchange.
"""

from __future__ import annotations

import base64
import hashlib
import json
from html import escape

from starlette.responses import HTMLResponse

from api.auth.oidc import Providers
from core.settings import PROJECT_ROOT, Settings

DEMO_ACCOUNTS = PROJECT_ROOT / "dev" / "oidc" / "accounts.json"
STYLE = """body{font:1rem/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
a{color:#0645ad} a:focus{outline:3px solid #000;outline-offset:2px}
.proconnect{display:inline-block;background:#000091;color:#fff;padding:.6rem 1rem}
table{border-collapse:collapse} td,th{border:1px solid #999;padding:.3rem .6rem}"""
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
"""The page's one inline style, allowed by its hash in the Content-Security-Policy."""


def signin_page(settings: Settings, providers: Providers) -> HTMLResponse:
    buttons = []
    for provider in providers:
        url = escape(f"/auth/login/{provider.name}")
        if provider.config.kind == "proconnect":
            buttons.append(
                f'<li><a class="proconnect" href="{url}">S’identifier avec '
                f"<strong>ProConnect</strong></a> "
                '<a href="https://www.proconnect.gouv.fr/" rel="noopener">'
                "Qu’est-ce que ProConnect ?</a></li>"
            )
        else:
            buttons.append(f'<li><a href="{url}">{escape(provider.config.label)}</a></li>')
    body = "\n".join(buttons) or "<li>Aucun fournisseur d’identité n’est configuré.</li>"
    return HTMLResponse(
        f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Se connecter — Entrelieux</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style>
</head><body><main><h1>Se connecter à Entrelieux</h1><ul>{body}</ul>
{_demo_accounts() if settings.is_development else ""}</main></body></html>""",
        headers={"Cache-Control": "no-store"},
    )


def demo_accounts() -> list[dict[str, str]]:
    """The development provider's accounts: login, password and who they are."""
    if not DEMO_ACCOUNTS.is_file():
        return []
    accounts = json.loads(DEMO_ACCOUNTS.read_text(encoding="utf-8"))
    return [
        {
            "login": login,
            "password": account["password"],
            "description": account.get("description", ""),
        }
        for login, account in accounts.items()
    ]


def _demo_accounts() -> str:
    accounts = demo_accounts()
    if not accounts:
        return ""
    rows = "".join(
        f"<tr><td>{escape(a['login'])}</td><td>{escape(a['password'])}</td>"
        f"<td>{escape(a['description'])}</td></tr>"
        for a in accounts
    )
    return (
        "<h2>Comptes de démonstration (développement)</h2>"
        "<table><thead><tr><th scope='col'>Identifiant</th><th scope='col'>Mot de passe</th>"
        f"<th scope='col'>Qui</th></tr></thead><tbody>{rows}</tbody></table>"
    )
