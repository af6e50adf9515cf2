"""Invite analytics: how people came into a root team, and how fast they were let in."""
