"""What each parsed `/invite` command runs: one function per command type.

A runner takes the request and the command, calls the service, and returns the reply
to show (or None when it answered otherwise, such as by opening a modal).
"""

from collections.abc import Callable

from handlers.command_language import Command
from handlers.listeners.runners import (
    admin,
    invitations,
    links,
    requests,
    roles,
    teams,
    waitlist,
)
from handlers.slack.context import Request

Runner = Callable[[Request, Command], dict | None]

RUNNERS: dict[type[Command], Runner] = {
    **teams.RUNNERS,
    **invitations.RUNNERS,
    **links.RUNNERS,
    **requests.RUNNERS,
    **roles.RUNNERS,
    **admin.RUNNERS,
    **waitlist.RUNNERS,
}
