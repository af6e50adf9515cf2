"""Slack itself, for the listeners: the per-request context and the Directory port."""
