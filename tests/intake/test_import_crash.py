"""A SIGKILL in the middle of a large import leaves the store consistent; a re-run completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

ROWS = 12_000


def counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one())
            for t in ("submission", "evidence_item", "site")
        )


def test_killed_import_then_rerun(tmp_path: Path, db_url: str, engine: Engine, tenants: object) -> None:
    path = tmp_path / "big.csv"
    with path.open("w") as f:
        f.write("domain,url,languages,content_types\n")
        for i in range(ROWS):
            f.write(f"site{i}.com,https://site{i}.com/title/{i},ja,manga\n")
    env = {**os.environ, "PIRATEWATCH_DATABASE_URL": db_url}
    command = [sys.executable, "-m", "piratewatch", "sites", "import", str(path), "--association", "Association A"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and counts(engine)[0] == 0:
            time.sleep(0.01)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    submissions, evidence, sites = counts(engine)
    assert 0 < submissions < ROWS, "the kill should land mid-import; make the file larger if this fails"
    # Consistent: every committed submission came with its site and evidence (one chunk, one transaction).
    assert submissions == evidence == sites
    with engine.connect() as conn:
        orphans = conn.execute(
            sa.text("SELECT count(*) FROM submission s LEFT JOIN site t ON t.id = s.site_id WHERE t.id IS NULL")
        ).scalar_one()
    assert orphans == 0

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert counts(engine) == (ROWS, ROWS, ROWS)
    assert f"{ROWS} rows: {ROWS} imported" in done.stdout
