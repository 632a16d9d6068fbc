"""Sign-in is checked before any step (issue 16): a token for the chosen method and a read of the
subscription, in wizard.provision, for both front ends. A failure is one message naming the method
and the fix, exit 1, nothing attempted; azure-identity's own log lines stay off the terminal and
go to the run log."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wizard.azure.signin import check_sign_in
from wizard.catalog import SignInFailed
from wizard.environment import demo_subscription_id, open_environment

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "myfileserver.toml"


def _run_without_credentials(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`hpcshare run --answers FILE --yes` in a clean environment: no AZURE_* variables, no `az`
    on PATH (an empty folder), passwords from the environment."""
    answers = tmp_path / "nocred.toml"
    shutil.copy(EXAMPLE, answers)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    env = {"PATH": str(bindir), "HOME": str(tmp_path), "HPCSHARE_HOME": str(tmp_path / "home"),
           "PYTHONPATH": str(ROOT), "HPCSHARE_ADMIN_PASSWORD": "Adm1n-Pass-99!x",
           "HPCSHARE_SHARE_PASSWORD": "Share-Pass-99!x", "LANG": "C.UTF-8"}
    return subprocess.run([sys.executable, "-m", "wizard", "run", "--answers", str(answers), "--yes",
                           "--out", str(tmp_path / "out"), *extra],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_run_without_azure_cli_stops_before_any_step_with_one_message(tmp_path: Path) -> None:
    out = _run_without_credentials(tmp_path)
    assert out.returncode == 1, (out.stdout, out.stderr)
    err = out.stderr.strip().splitlines()
    assert len(err) == 1, out.stderr                        # one message, nothing from azure-identity
    assert "Azure CLI login (subscription.auth = cli)" in err[0] and "az login" in err[0], err
    assert "get_token" not in out.stderr and "AzureCliCredential" not in out.stderr
    assert "[running]" not in out.stdout and "[done]" not in out.stdout    # no step attempted
    assert not (tmp_path / "out").exists()
    # azure-identity's own line went to the run log instead.
    log = (tmp_path / "home" / "logs" / "nocred.log").read_text(encoding="utf-8")
    assert "AzureCliCredential" in log and "sign-in failed" in log


def test_service_principal_without_variables_names_them(tmp_path: Path) -> None:
    out = _run_without_credentials(tmp_path, "--set", "subscription.auth=environment")
    assert out.returncode == 1, (out.stdout, out.stderr)
    err = out.stderr.strip().splitlines()
    assert len(err) == 1, out.stderr
    assert "service principal" in err[0] and "AZURE_CLIENT_ID" in err[0] and "AZURE_TENANT_ID" in err[0]
    assert "EnvironmentCredential" not in out.stderr.replace(err[0], "") and "[running]" not in out.stdout


@pytest.fixture
def standin_env(hpcshare_home: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HPCSHARE_STANDIN_LATENCY", "instant")
    env = open_environment(demo=True)
    yield env
    env.close()


def test_sign_in_check_through_the_sdk_against_the_standin(standin_env) -> None:
    check_sign_in(standin_env, demo_subscription_id())          # a token, and the subscription reads
    with pytest.raises(SignInFailed) as caught:
        check_sign_in(standin_env, "00000000-0000-0000-0000-000000000001")
    message = str(caught.value)
    assert "could not be read" in message and "SubscriptionNotFound" in message
    assert "subscription.id" in message and "Nothing was changed" in message


def test_teardown_without_azure_cli_says_the_same(tmp_path: Path) -> None:
    answers = tmp_path / "nocred.toml"
    shutil.copy(EXAMPLE, answers)
    env = {"PATH": str(tmp_path), "HOME": str(tmp_path), "HPCSHARE_HOME": str(tmp_path / "home"),
           "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"}
    out = subprocess.run([sys.executable, "-m", "wizard", "teardown", "--answers", str(answers), "--yes"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, (out.stdout, out.stderr)
    err = out.stderr.strip().splitlines()
    assert len(err) == 1 and "az login" in err[0] and "get_token" not in out.stderr, out.stderr
