"""Shared pieces: result sections, tables, percentiles, signed commands, servers, RSS, queries."""

from __future__ import annotations

import http.client
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

ROOT = Path(__file__).resolve().parents[1]
SIGNING_SECRET = "lobby-bench-signing-secret"
TOKEN = "xoxb-lobby-test-token"
TEAM_ID = "T0LOBBY"
ADMIN = "U0ADMIN1"
SLACK_BUDGET_S = 3.0
BENCH_MAX_BACKLOG = 1_000_000
PG_SERVER = os.environ.get("LOBBY_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/")


# --------------------------------------------------------------------------- results


@dataclass
class Goal:
    text: str
    met: bool
    detail: str
    cause: str = ""  # filled in when missed: what profiling showed
    fix: str = ""  # filled in when missed: file, function, what to change

    def line(self) -> str:
        if self.met:
            return f"- **met** — {self.text}: {self.detail}"
        return (
            f"- **missed** — {self.text}: {self.detail}\n"
            f"  - cause: {self.cause or 'not profiled yet'}\n"
            f"  - proposed fix: {self.fix or 'none yet'}"
        )


@dataclass
class Section:
    title: str
    tables: list[str] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    summary: str = ""  # the section's last line, as it is

    def markdown(self) -> str:
        parts = [f"## {self.title}", ""]
        for table in self.tables:
            parts += [table, ""]
        if self.goals:
            parts += [goal.line() for goal in self.goals] + [""]
        parts += [f"_{note}_\n" for note in self.notes]
        if self.summary:
            parts += [self.summary, ""]
        return "\n".join(parts)


def table(headers: list[str], rows: list[list]) -> str:
    def cell(value) -> str:
        if isinstance(value, float):
            return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}×" if base else "n/a"


# --------------------------------------------------------------------------- machine


def machine() -> dict[str, str]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "cores": str(os.cpu_count()),
        "cpu": model,
        "python": sys.version.split()[0],
    }


def rss_kib(pid: int | str = "self") -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in KiB, from /proc."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def tree_rss_kib(pid: int) -> dict[str, int]:
    """rss_kib summed over a process and its descendants (Lobby's worker process,
    multiprocessing's resource tracker); VmHWM is then the sum of each one's peak."""
    total = {"VmRSS": 0, "VmHWM": 0}
    pending = [pid]
    while pending:
        current = pending.pop()
        for key, value in rss_kib(current).items():
            total[key] += value
        children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        pending.extend(int(child) for child in children)
    return total


# --------------------------------------------------------------------------- Slack requests


class CommandSigner:
    """Builds `/invite` form bodies and signs them as Slack does, one per request."""

    def __init__(self, response_urls: list[str] | None = None):
        self.verifier = SignatureVerifier(SIGNING_SECRET)
        self.response_urls = iter(response_urls or [])

    def request(self, text: str, user_id: str = ADMIN) -> tuple[bytes, dict[str, str]]:
        fields = {
            "token": "lobby-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "lobby-test",
            "channel_id": "C0GENERAL",
            "channel_name": "general",
            "user_id": user_id,
            "user_name": "admin",
            "command": "/invite",
            "text": text,
            "api_app_id": "A0LOBBY",
            "is_enterprise_install": "false",
            "response_url": next(self.response_urls, "http://127.0.0.1:9/hooks/none"),
            "trigger_id": f"1.{int(time.time())}.bench",
        }
        body = urlencode(fields)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=timestamp, body=body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        return body.encode(), headers


def post(conn: http.client.HTTPConnection, body: bytes, headers: dict) -> tuple[int, bytes]:
    conn.request("POST", "/slack/events", body=body, headers=headers)
    answer = conn.getresponse()
    return answer.status, answer.read()


def get_status(port: int, path: str = "/healthz", timeout: float = 1.0) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", path)
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return None


# --------------------------------------------------------------------------- servers


@dataclass
class Server:
    """A served app in a subprocess (bench/serve.py), bound to 127.0.0.1."""

    kind: str
    process: subprocess.Popen
    port: int

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def bench_env(api_url: str, database_url: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=api_url,
        LOBBY_DEFAULT_DAILY_INVITE_LIMIT="10000",
        # Every command under load is recorded and run: a refused one ("Lobby is busy")
        # would be a cheaper ack than the one measured. The production default is 1,000.
        LOBBY_MAX_BACKLOG=str(BENCH_MAX_BACKLOG),
        PYTHONPATH=str(ROOT),
    )
    env.pop("SLACK_APP_TOKEN", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def start_server(kind: str, api_url: str, database_url: str, log_path: Path) -> Server:
    """Start `lobby` (as `python app.py`: web and worker processes), `lobby-acks` (the web
    process alone) or `bare` (ack-only Bolt); see bench/serve.py."""
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.serve", kind],
        cwd=ROOT,
        env=bench_env(api_url, database_url),
        stdin=subprocess.PIPE,  # the server exits when this closes
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    line = process.stdout.readline()
    if not line.strip().isdigit():
        process.kill()
        raise RuntimeError(f"{kind} server did not start; see {log_path}")
    port = int(line)
    deadline = time.monotonic() + 20
    while get_status(port) != 200:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{kind} server not healthy; see {log_path}")
        time.sleep(0.02)
    return Server(kind, process, port)


def fresh_database_url(kind: str, name: str, workdir: Path) -> str:
    """An empty database for one served app: a new SQLite file in `workdir`, or a
    PostgreSQL database `lobby_bench_<name>` dropped and created again."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / name}.db"
    import psycopg2

    database = "lobby_bench_" + name.replace("-", "_")
    admin = psycopg2.connect(PG_SERVER + "postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {database}")
    admin.close()
    return PG_SERVER + database


def load_average() -> str:
    """The 1-minute load average and its share of the cores: how busy the machine was."""
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (5 min: {five:.2f}) on {os.cpu_count()} cores"


# --------------------------------------------------------------------------- queries


class QueryCounter(logging.Handler):
    """Counts SQL statements peewee logs (logger "peewee", DEBUG), optionally by thread."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.count = 0
        self.statements: list[str] = []
        self._lock = threading.Lock()
        self.keep = False

    def emit(self, record: logging.LogRecord) -> None:
        with self._lock:
            self.count += 1
            if self.keep:
                sql = record.msg[0] if isinstance(record.msg, tuple) else str(record.msg)
                self.statements.append(sql)

    def __enter__(self) -> QueryCounter:
        logger = logging.getLogger("peewee")
        self._previous = (logger.level, logger.propagate)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        logger.addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        logger = logging.getLogger("peewee")
        logger.removeHandler(self)
        logger.setLevel(self._previous[0])
        logger.propagate = self._previous[1]

    def reset(self) -> int:
        with self._lock:
            count, self.count = self.count, 0
            self.statements = []
        return count


def timed(function, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result
