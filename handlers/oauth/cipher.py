"""Tokens encrypted at rest with Fernet. Several keys: the first encrypts, any decrypts,
so a new key can be put first while rows written under the old one are still read."""

import json

from cryptography.fernet import Fernet, MultiFernet


class TokenCipher:
    def __init__(self, keys: tuple[str, ...]):
        if not keys:
            raise ValueError("at least one Fernet key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, values: dict) -> str:
        return self._fernet.encrypt(json.dumps(values).encode()).decode()

    def open(self, sealed: str) -> dict:
        return json.loads(self._fernet.decrypt(sealed.encode()))

    def reseal(self, sealed: str) -> str:
        """The same values under the first key (for a key rotation)."""
        return self._fernet.rotate(sealed.encode()).decode()
