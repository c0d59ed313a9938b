"""Strong evidence that an organization runs a place, enough to verify a claim without a network.

- SIRET: the organization's SIRET is the place's (`Space.siret`), both of 14 digits.
- E-mail domain: the claimant's e-mail address, verified by their identity provider
  (`Person.email_verified`, from the `email_verified` claim at their last sign-in), is at the
  domain of the place's website. Domains are compared lower-cased, without a leading `www.`.
  A webmail or consumer-ISP domain (gmail.com, orange.fr, free.fr, laposte.net, wanadoo.fr,
  any hotmail, yahoo, outlook or live domain...) and a website on a shared host (facebook.com,
  wordpress.com, wixsite.com...) never count: anyone can have an address there.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from core.models import ClaimEvidence, Organization, Person, Space

GENERIC_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "wanadoo.fr",
        "sfr.fr",
        "neuf.fr",
        "bbox.fr",
        "numericable.fr",
        "club-internet.fr",
        "aliceadsl.fr",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.fr",
        "gmx.com",
        "protonmail.com",
        "proton.me",
        "yandex.com",
        "mail.com",
        "facebook.com",
        "google.com",
        "wordpress.com",
        "wixsite.com",
        "blogspot.com",
        "over-blog.com",
        "jimdo.com",
        "jimdofree.com",
        "webnode.fr",
    }
)
GENERIC_BRANDS = frozenset({"hotmail", "yahoo", "outlook", "live", "msn", "gmail", "ymail"})
"""Any domain whose name is one of these (hotmail.fr, yahoo.co.uk, outlook.com) is generic."""


def website_domain(website: str | None) -> str | None:
    """`https://www.Example.fr/lieu` → `example.fr`; None when there is no host."""
    text = (website or "").strip()
    if not text:
        return None
    if "://" not in text:
        text = f"http://{text}"
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    return normalize_domain(host) if host else None


def email_domain(email: str | None) -> str | None:
    if not email or email.count("@") != 1:
        return None
    return normalize_domain(email.rsplit("@", 1)[1]) or None


def normalize_domain(domain: str) -> str:
    domain = domain.strip().strip(".").lower()
    return domain.removeprefix("www.")


def is_generic(domain: str) -> bool:
    """A domain where anyone can have an address or a page."""
    labels = domain.split(".")
    shared_host = any(".".join(labels[i:]) in GENERIC_DOMAINS for i in range(len(labels)))
    return shared_host or (len(labels) >= 2 and labels[0] in GENERIC_BRANDS)


def strong_evidence(
    space: Space, organization: Organization, person: Person
) -> ClaimEvidence | None:
    """SIRET first, then the verified e-mail domain; None when neither holds."""
    if space.siret and organization.siret and space.siret == organization.siret:
        return ClaimEvidence.SIRET
    if not person.email_verified:
        return None
    mail, site = email_domain(person.email), website_domain(space.website)
    if mail and site and mail == site and not is_generic(mail):
        return ClaimEvidence.EMAIL_DOMAIN
    return None
