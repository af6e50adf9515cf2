"""Which email domains may join a team by its link; anyone else asks to join instead."""

import re

from bot.errors import InvalidDomain
from bot.ports import Directory
from storage.models import Team

LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
DOMAIN = re.compile(rf"{LABEL}(\.{LABEL})+")
MAX_DOMAINS = 50


def clean_domains(domains: list[str]) -> list[str]:
    """Lower-cased, deduplicated, each checked; InvalidDomain names the first bad one."""
    clean: list[str] = []
    for domain in domains:
        word = domain.strip().lower().removeprefix("@")
        if len(word) > 253 or not DOMAIN.fullmatch(word):
            raise InvalidDomain(domain=domain)
        if word not in clean:
            clean.append(word)
    if not clean or len(clean) > MAX_DOMAINS:
        raise InvalidDomain(domain=",".join(domains))
    return clean


def domains_of(team: Team) -> list[str] | None:
    """The team's link domains, or None when anyone may join by link."""
    return team.link_domains.split(",") if team.link_domains else None


def inside(team: Team, user_id: str, directory: Directory | None) -> bool:
    """Whether the person's Slack email is in the team's link domains (always, without
    domains). No email visible counts as outside."""
    domains = domains_of(team)
    if domains is None:
        return True
    email = directory.email_of(user_id) if directory is not None else None
    if not email or "@" not in email:
        return False
    return email.rsplit("@", 1)[1].lower() in domains
