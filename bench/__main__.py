"""Run Lobby's benchmarks: `python -m bench [ack|bulk|sweep|lists|footprint|stats|…]`.

Prints each table and writes them all, with the machine, date and command, to
bench/RESULTS.md (a partial run writes only what it ran).
"""

import importlib
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench.common import Section, machine

BENCHMARKS = ("ack", "bulk", "sweep", "lists", "footprint", "stats", "fairness", "tiers")
RESULTS = Path(__file__).parent / "RESULTS.md"
ANALYSIS = Path(__file__).parent / "ANALYSIS.md"


def main(argv: list[str]) -> int:
    chosen = argv or list(BENCHMARKS)
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark {unknown}; choose from {', '.join(BENCHMARKS)}")
        return 2
    sections = []
    started = time.monotonic()
    for name in chosen:
        print(f"== {name} …", flush=True)
        began = time.monotonic()
        try:
            section = importlib.import_module(f"bench.{name}").run()
        except Exception:  # noqa: BLE001 - one broken benchmark must not lose the others
            section = Section(f"{name}: failed", notes=[traceback.format_exc()])
        section.notes.append(f"{name} took {time.monotonic() - began:.0f} s.")
        print(section.markdown(), flush=True)
        sections.append(section)
    write_results(chosen, sections, time.monotonic() - started)
    return 0


def commit() -> str:
    run = lambda *args: subprocess.run(args, capture_output=True, text=True).stdout.strip()  # noqa: E731
    dirty = (
        " plus uncommitted changes"
        if run("git", "status", "--porcelain", "--", "bot", "handlers", "storage", "app.py")
        else ""
    )
    return run("git", "rev-parse", "--short", "HEAD") + dirty


def write_results(chosen, sections, elapsed) -> None:
    full = list(chosen) == list(BENCHMARKS)
    command = "python -m bench" + ("" if full else " " + " ".join(chosen))
    if not full and RESULTS.exists():
        update_results(command, sections)
        return
    info = machine()
    head = [
        "# Lobby benchmarks",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- command: `{command}` (from the repository root, in the venv); took {elapsed:.0f} s",
        f"- machine: {info['cores']} cores, {info['cpu']}, Python {info['python']}",
        f"- app code at commit {commit()}",
        "- ratios are against a baseline measured in the same run",
        "",
    ]
    body = [section.markdown() for section in sections]
    tail = [ANALYSIS.read_text()] if ANALYSIS.exists() else []
    RESULTS.write_text("\n".join(head + body + tail))
    print(f"wrote {RESULTS}")


def update_results(command: str, sections) -> None:
    """A partial run replaces its own sections of RESULTS.md and says so in the header."""
    text = RESULTS.read_text()
    for section in sections:
        number = section.title.split(".", 1)[0]
        start = text.find(f"\n## {number}. ")
        if start < 0:  # a benchmark run for the first time: its section goes last
            text = text.rstrip("\n") + "\n\n" + section.markdown()
            continue
        end = text.find("\n## ", start + 1)
        end = len(text) if end < 0 else end
        text = text[:start] + "\n" + section.markdown() + text[end:]
    when = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    note = f"- re-run later: `{command}` at {when}, app code at commit {commit()}\n"
    head_end = text.find("\n## ")
    text = text[:head_end].rstrip("\n") + "\n" + note + text[head_end:]
    RESULTS.write_text(text)
    print(f"updated {RESULTS}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
