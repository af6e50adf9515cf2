"""The one error of settings: a missing or malformed value, named."""


class SettingsError(Exception):
    """A missing or malformed setting; the message names it."""
