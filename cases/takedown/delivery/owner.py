"""Which process holds a send in flight, and whether that process is certainly gone.

A ``sending`` attempt is left alone while its sender may still be handing the notice over; only
then is it safe to ask the recipient (or an operator) what happened. Waiting a fixed time covers
senders on other machines; a sender on this machine can be asked directly: if its process is gone
(or its pid now belongs to another process), the attempt is settled at once instead of minutes later.
"""

from __future__ import annotations

import os
import socket
from functools import cache
from pathlib import Path


def _start_ticks(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot), or None if there is no such live process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    fields = stat.rsplit(")", 1)[-1].split()
    if not fields or fields[0] in ("Z", "X"):  # a zombie or a dead task has finished
        return None
    return fields[19] if len(fields) > 19 else ""


@cache
def this_process() -> str:
    """This process as an attempt's owner: ``host:pid:start``."""
    return f"{socket.gethostname()}:{os.getpid()}:{_start_ticks(os.getpid()) or ''}"


def is_gone(owner: str | None) -> bool:
    """Whether `owner` (from :func:`this_process`) is certainly no longer running.

    Only a process on this machine can be known gone; one elsewhere, or an attempt with no owner
    (recorded before owners were), is never declared gone: those wait for the in-flight time.
    """
    if not owner:
        return False
    host, _, rest = owner.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit() or not Path("/proc/self/stat").exists():
        return False
    now = _start_ticks(int(pid_text))
    return now is None or (bool(start) and now != start)
