import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_summary_names_each_skipped_test_and_what_it_needed():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CEOCALLS_REQUIRE_SERVICES"}}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "tests/customers/test_search_postgres.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    skipped = [line for line in run.stdout.splitlines() if line.startswith("SKIPPED")]
    assert skipped, run.stdout
    for line in skipped:  # once "SKIPPED [9] tests/conftest.py:19: needs PostgreSQL", naming no test
        assert "tests/customers/test_search_postgres.py::" in line and "needs PostgreSQL" in line
