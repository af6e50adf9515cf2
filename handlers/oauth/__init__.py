"""The distributable app: "Add to Slack" with Bolt's OAuth flow, and the stores it
needs kept in Lobby's database (installations with encrypted tokens, OAuth states)."""
