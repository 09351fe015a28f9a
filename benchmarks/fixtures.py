"""What several benchmarks set up the same way: a sender profile and a static nginx on loopback."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from lab.http_util import wait_for_port
from lab.tls import write_self_signed

#: the sender profile the benchmarks draft their DMCA notices with (every element DMCA asks for)
SENDER: dict[str, object] = {
    "name": "Hanako Yamada",
    "organisation": "Association A",
    "email": "legal@association-a.example",
    "address": "1-2-3 Chiyoda, Tokyo 100-0001, Japan",
    "phone": "+81 3 0000 0000",
    "signature": "/Hanako Yamada/",
    "explanation": "The pages reproduce the complete chapters of the works without the rights holder's licence.",
    "right_infringed": "copyright",
    "good_faith": True,
    "accuracy_under_perjury": True,
    "bona_fide": True,
    "truth_statement": True,
}


def start_nginx(root: Path, work: Path, port: int, *, tls_names: Sequence[str] = ()) -> subprocess.Popen[bytes]:
    """nginx (Debian's) serving the files under `root` on loopback, one worker, whatever Host is asked for.

    With `tls_names`, over TLS with a self-signed certificate for those names.
    """
    listen = f"127.0.0.1:{port}"
    tls = ""
    if tls_names:
        key, cert = write_self_signed(work / "tls", list(tls_names))
        listen += " ssl"
        tls = f"ssl_certificate {cert}; ssl_certificate_key {key};"
    conf = work / "nginx.conf"
    conf.write_text(
        f"""daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
{"user root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  default_type text/html;
  types {{ text/html html; application/javascript js; }}
  server {{ listen {listen}; {tls} root {root}; location / {{ try_files $uri $uri/ =404; }} }}
}}
"""
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(work)], stderr=subprocess.DEVNULL)
    wait_for_port(port, alive=lambda: proc.poll() is None)
    return proc
