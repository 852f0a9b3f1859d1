import io
from pathlib import Path

import pytest
from django.core.management import call_command

SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def run_command():
    """Runs a management command; returns (exit code, stdout, stderr)."""

    def run(*args) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command(*[str(a) for a in args], stdout=out, stderr=err)
            code = 0
        except SystemExit as exc:
            code = exc.code
        return code, out.getvalue(), err.getvalue()

    return run


@pytest.fixture
def sample_customers(run_command):
    """The customers of samples/customers.csv: C-100 Acme, C-200 Borealis, C-300 Cobalt."""
    code, _, err = run_command("import_customers", SAMPLES / "customers.csv")
    assert code == 0, err
