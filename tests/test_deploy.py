"""deploy/: the systemd units pass `systemd-analyze verify`, and say what a worker needs."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
INSTALLED_AT = "/opt/footcoach"
UNITS = {
    "footcoach.service": "footcoach.service",
    "footcoach@.service": "footcoach@8441.service",  # a template is verified as an instance
    "footcoach.target": "footcoach.target",
}
needs_systemd = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here"
)


def verify(folder: Path, *names: str) -> tuple[int, str]:
    """Run `systemd-analyze verify` on unit files in `folder`; return its status and output."""
    done = subprocess.run(
        ["systemd-analyze", "verify", *names],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, (done.stdout + done.stderr).strip()


def install(tmp_path: Path) -> Path:
    """Copy the units into a folder, with the install path moved to a folder holding a stub
    `footcoach` (verify checks that ExecStart exists); everything else is as shipped."""
    app = tmp_path / "app"
    (app / ".venv" / "bin").mkdir(parents=True)
    stub = app / ".venv" / "bin" / "footcoach"
    stub.write_text("#!/bin/sh\n")
    stub.chmod(0o755)
    units = tmp_path / "units"
    units.mkdir()
    for source, name in UNITS.items():
        text = (DEPLOY / source).read_text().replace(INSTALLED_AT, str(app))
        (units / name).write_text(text)
    return units


@needs_systemd
def test_the_units_pass_systemd_analyze_verify(tmp_path):
    units = install(tmp_path)
    status, output = verify(units, *UNITS.values())
    # verify exits 0 on an unknown key or a bad value (it only warns): any line is a failure.
    assert (status, output) == (0, "")


@needs_systemd
def test_verify_catches_a_mistake_in_a_unit(tmp_path):
    units = install(tmp_path)
    unit = units / "footcoach.service"
    unit.write_text(unit.read_text().replace("Restart=on-failure", "Restart=sometimes"))
    _, output = verify(units, "footcoach.service")
    assert "sometimes" in output


def service(name: str) -> configparser.SectionProxy:
    """Return the [Service] section of a unit (repeated keys: the last one)."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / name).read_text())
    return parser["Service"]


@pytest.mark.parametrize("name", ["footcoach.service", "footcoach@.service"])
def test_a_worker_runs_as_its_own_user_from_its_settings_file_restarting_on_failure(name):
    unit = service(name)
    assert unit["EnvironmentFile"] == "/etc/footcoach/footcoach.env"
    assert unit["WorkingDirectory"] == INSTALLED_AT
    assert unit["ExecStart"] == f"{INSTALLED_AT}/.venv/bin/footcoach run"
    assert unit["Restart"] == "on-failure"
    assert unit["User"] == unit["Group"] == "footcoach"  # a user of its own, not root
    # A misconfiguration exits 2 with one line: restarting would only repeat it.
    assert unit["RestartPreventExitStatus"] == "2"
    for option in ("NoNewPrivileges", "ProtectHome", "PrivateTmp", "ProtectKernelTunables"):
        assert unit[option] == "yes"
    assert unit["ProtectSystem"] == "strict"
    assert unit["CapabilityBoundingSet"] == ""


def test_the_guide_keeps_order_with_the_proxys_retry_setting():
    guide = (DEPLOY / "README.md").read_text()
    assert "proxy_next_upstream error timeout http_502 http_503 http_504 non_idempotent;" in guide
    assert "proxy_next_upstream_timeout" in guide and "WEBHOOK_ORDER_WAIT" in guide
    assert "footcoach doctor" in guide and "/readyz" in guide
