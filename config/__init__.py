"""Lobby's settings, read from the environment; a bad one stops start-up with one line."""

from config.errors import SettingsError
from config.settings import Settings, load_settings
from config.smtp import SmtpServer, parse_smtp_url

__all__ = ["Settings", "SettingsError", "SmtpServer", "load_settings", "parse_smtp_url"]
