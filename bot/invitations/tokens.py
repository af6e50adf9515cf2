"""Invitation tokens (stored hashed, single use) and the addresses invitations go to."""

import hashlib
import secrets

from email_validator import EmailNotValidError, validate_email

TOKEN_BYTES = 24  # 192 bits


def normalize_email(raw: str) -> tuple[str | None, str | None]:
    """(address, None) for a valid address, lower-cased; (None, reason) otherwise."""
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower(), None
    except EmailNotValidError as exc:
        return None, str(exc)


def new_token() -> tuple[str, str]:
    """A random single-use token and the hash that is stored instead of it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
