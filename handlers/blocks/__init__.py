"""Block Kit builders with their wording beside them, one module per area.

Pure functions from plain data to message and view dicts: no Slack calls. User text
passes through `mrkdwn.escape` exactly once on its way out.
"""
