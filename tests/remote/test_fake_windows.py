"""The stand-in's simulated Windows server (wizard/standin/fake_windows.py)."""
from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.remote.helpers import SHARE_PASSWORD, make_answers
from wizard.answers import Answers, Secrets
from wizard.remote.config import configure_config, secret_params, self_test_config
from wizard.remote.protocol import CONFIGURE_SERVER, SELF_TEST, SUBSTEPS, encode_param, parse_results
from wizard.remote.scripts import load_script
from wizard.standin.fake_windows import FAILURES, simulate
from wizard.standin import vault

CONFIGURE = load_script(CONFIGURE_SERVER)
SELFTEST = load_script(SELF_TEST)


def run(script: str, config: dict[str, Any], password: str, server: dict[str, Any], fail: str | None = None,
        *, action: bool = False) -> tuple[list[tuple[str, str, str]], str, str, int]:
    params = {"ConfigB64": encode_param(config)}
    protected = {"SecretB64": encode_param({"share_password": password})}
    if action:                       # action Run Command: the secret is an ordinary parameter
        params, protected = {**params, **protected}, {}
    out, err, code = simulate(script, params, protected, server, fail)
    return [(r.step, r.status, r.message) for r in parse_results(out)], out, err, code


def statuses(rows: list[tuple[str, str, str]]) -> list[str]:
    return [s for _, s, _ in rows]


def test_first_run_changed_then_ok(answers: Answers) -> None:
    server: dict[str, Any] = {}
    rows, out, err, code = run(CONFIGURE, configure_config(answers), SHARE_PASSWORD, server)
    assert code == 0 and err == ""
    assert [s for s, *_ in rows] == list(SUBSTEPS[CONFIGURE_SERVER])
    assert statuses(rows) == ["changed"] * 7
    assert rows[0][2] == ("Disk at LUN 0 (1024 GiB): initialized GPT, partitioned as F:, formatted NTFS 'hpcdata' "
                          "(4 KiB clusters); now NTFS 'hpcdata' as F: (LUN 0 checked by location)")
    assert "Local user 'hpcshareuser' created" in rows[1][2]
    assert "\\\\MYFILESERVER\\MyShare -> F:\\MyShare created" in rows[4][2] and "no Everyone" in rows[4][2]
    assert "TCP 445 allowed from 10.0.0.0/16 only" in rows[6][2]
    rows, _, _, code = run(CONFIGURE, configure_config(answers), SHARE_PASSWORD, server)
    assert code == 0 and statuses(rows) == ["ok"] * 7
    rows, _, _, code = run(SELFTEST, self_test_config(answers), SHARE_PASSWORD, server)
    assert code == 0 and statuses(rows) == ["ok"] * 4
    assert rows[0][2] == ("Connected to \\\\myfileserver\\MyShare as myfileserver\\hpcshareuser (Get-SmbConnection: "
                          "credential myfileserver\\hpcshareuser, SMB 3.1.1); no earlier connection to myfileserver")
    json.dumps(server)            # the stand-in may persist it


@pytest.mark.parametrize("step", SUBSTEPS[CONFIGURE_SERVER])
def test_fail_substep_configure(answers: Answers, step: str) -> None:
    server: dict[str, Any] = {}
    rows, _, _, code = run(CONFIGURE, configure_config(answers), SHARE_PASSWORD, server, fail=step)
    assert code == 1
    i = SUBSTEPS[CONFIGURE_SERVER].index(step)
    assert statuses(rows) == ["changed"] * i + ["failed"] + ["skipped"] * (6 - i)
    assert rows[i][2] == FAILURES[step][0]
    # The failed sub-step carries the Windows error id too.
    line = [ln for ln in _lines(configure_config(answers), server, step)][i]
    assert line["data"]["errorId"] == FAILURES[step][1]
    # A re-run without the fault resumes and converges.
    rows, _, _, code = run(CONFIGURE, configure_config(answers), SHARE_PASSWORD, server)
    assert code == 0 and statuses(rows)[:i] == ["ok"] * i and "failed" not in statuses(rows)


def _lines(config: dict[str, Any], server: dict[str, Any], fail: str) -> list[dict[str, Any]]:
    out, _, _ = simulate(CONFIGURE, {"ConfigB64": encode_param(config)},
                         {"SecretB64": encode_param({"share_password": SHARE_PASSWORD})}, dict(server), fail)
    return [json.loads(ln.split(" ", 1)[1]) for ln in out.splitlines()]


@pytest.mark.parametrize("step", SUBSTEPS[SELF_TEST])
def test_fail_substep_self_test(answers: Answers, step: str) -> None:
    server: dict[str, Any] = {}
    run(CONFIGURE, configure_config(answers), SHARE_PASSWORD, server)
    rows, _, _, code = run(SELFTEST, self_test_config(answers), SHARE_PASSWORD, server, fail=step)
    i = SUBSTEPS[SELF_TEST].index(step)
    assert code == 1 and statuses(rows) == ["ok"] * i + ["failed"] + ["skipped"] * (3 - i)
    assert rows[i][2] == FAILURES[step][0]


def test_self_test_needs_share_user_and_password(answers: Answers) -> None:
    server: dict[str, Any] = {}
    rows, _, _, code = run(SELFTEST, self_test_config(answers), SHARE_PASSWORD, server)
    assert code == 1 and rows[0][1] == "failed" and "The network name cannot be found" in rows[0][2]
    run(CONFIGURE, configure_config(answers), SHARE_PASSWORD, server)
    rows, _, _, code = run(SELFTEST, self_test_config(answers), SHARE_PASSWORD + "x", server)
    assert code == 1 and statuses(rows) == ["failed", "skipped", "skipped", "skipped"]
    assert rows[0][2] == "New-PSDrive: The user name or password is incorrect."
    other = self_test_config(make_answers(account__username="someoneelse"))
    rows, _, _, code = run(SELFTEST, other, SHARE_PASSWORD, server)
    assert code == 1 and "user name or password is incorrect" in rows[0][2]


def test_password_change_resets_and_self_test_follows(answers: Answers) -> None:
    server: dict[str, Any] = {}
    run(CONFIGURE, configure_config(answers), SHARE_PASSWORD, server)
    new = "Nw9-pQ3.rT5_vX7:zB1+"
    rows, _, _, code = run(CONFIGURE, configure_config(answers), new, server)
    assert code == 0 and rows[1][1] == "changed" and "password reset" in rows[1][2]
    assert statuses(rows)[2:] == ["ok"] * 5
    assert run(SELFTEST, self_test_config(answers), new, server)[3] == 0
    assert run(SELFTEST, self_test_config(answers), SHARE_PASSWORD, server)[3] == 1


def test_keep_password_leaves_an_existing_users_password(answers: Answers) -> None:
    """A re-run with a generated password (keep_password) must not reset the share user's password
    the user was shown earlier; a new user is still created with it, and the data says which."""
    server: dict[str, Any] = {}
    _, out, _, _ = run(CONFIGURE, configure_config(answers, keep_password=True), SHARE_PASSWORD, server)
    user = [r for r in parse_results(out) if r.step == "user"][0]
    assert user.status == "changed" and user.data["password_set"] is True
    new = "Nw9-pQ3.rT5_vX7:zB1+"
    rows, out, _, code = run(CONFIGURE, configure_config(answers, keep_password=True), new, server)
    user = [r for r in parse_results(out) if r.step == "user"][0]
    assert code == 0 and user.status == "ok" and user.data["password_set"] is False
    assert "password kept as set earlier" in user.message
    assert run(SELFTEST, self_test_config(answers), SHARE_PASSWORD, server)[3] == 0
    assert run(SELFTEST, self_test_config(answers), new, server)[3] == 1


def test_weak_password_fails_like_windows(answers: Answers) -> None:
    rows, _, _, code = run(CONFIGURE, configure_config(answers), "hpcshareuser-Aa1", {})
    assert code == 1 and rows[1][1] == "failed" and "password policy requirements" in rows[1][2]


def test_secret_never_stored_or_printed(answers: Answers) -> None:
    server: dict[str, Any] = {}
    outputs = []
    for script, cfg in ((CONFIGURE, configure_config(answers)), (CONFIGURE, configure_config(answers)),
                        (SELFTEST, self_test_config(answers))):
        _, out, err, _ = run(script, cfg, SHARE_PASSWORD, server)
        outputs += [out, err]
    for fail in (*SUBSTEPS[CONFIGURE_SERVER], None):
        _, out, err, _ = run(CONFIGURE, configure_config(answers), SHARE_PASSWORD, {}, fail)
        outputs += [out, err]
    _, out, err, _ = run(SELFTEST, self_test_config(answers), SHARE_PASSWORD + "x", server)
    outputs += [out, err]
    blob = "\n".join(outputs) + json.dumps(server) + repr(server)
    secret_b64 = encode_param({"share_password": SHARE_PASSWORD})
    for needle in (SHARE_PASSWORD, secret_b64, base64.b64encode(SHARE_PASSWORD.encode()).decode(),
                   SHARE_PASSWORD.lower(), SHARE_PASSWORD[:10]):
        assert needle not in blob
    # Not even a hash of it in the state the stand-in saves (it could be guessed offline).
    assert "password_hash" not in server["users"]["hpcshareuser"] and "pbkdf2" not in json.dumps(server)


def test_action_style_parameters(answers: Answers) -> None:
    rows, _, _, code = run(CONFIGURE, configure_config(answers), SHARE_PASSWORD, {}, action=True)
    assert code == 0 and statuses(rows) == ["changed"] * 7


@pytest.mark.parametrize(("params", "protected", "message"), [
    ({}, {"SecretB64": encode_param({"share_password": SHARE_PASSWORD})}, "parameter -ConfigB64 is missing or empty"),
    ({"ConfigB64": "not base64!"}, {}, "parameter -ConfigB64 is not valid base64"),
    ({"ConfigB64": base64.b64encode(b"{nope").decode()}, {}, "parameter -ConfigB64 is not valid JSON"),
    ({"ConfigB64": base64.b64encode(b"[1, 2]").decode()}, {}, "parameter -ConfigB64 is not a JSON object"),
    ({"ConfigB64": encode_param({"schema": 1})}, {}, "parameter -SecretB64 is missing or empty"),
    ({"ConfigB64": encode_param({"schema": 1})}, {"SecretB64": encode_param({})},
     "parameter -SecretB64 lacks the key 'share_password'"),
    ({"ConfigB64": encode_param({"schema": 1})}, {"SecretB64": encode_param({"share_password": ""})},
     "parameter -SecretB64: share_password must be a non-empty string"),
    ({"ConfigB64": encode_param({"schema": 1})}, {"SecretB64": encode_param({"share_password": "x"})},
     "parameter -ConfigB64 lacks the key 'computer_name'"),
])
def test_bad_parameters_fail_like_the_script(params: dict[str, str], protected: dict[str, str], message: str) -> None:
    out, err, code = simulate(CONFIGURE, params, protected, {}, None)
    rows = parse_results(out)
    assert code == 1 and [r.status for r in rows] == ["failed"] + ["skipped"] * 6
    assert rows[0].step == "disk" and rows[0].message == message and rows[0].data == {"stage": "start"}


def test_bad_value_refused_by_allow_list(answers: Answers) -> None:
    cfg = configure_config(answers) | {"share_name": "x'; Remove-Item C:\\"}
    rows, _, _, code = run(CONFIGURE, cfg, SHARE_PASSWORD, {})
    assert code == 1 and rows[0][2] == "config value 'share_name' is not acceptable"


def test_unknown_script_is_ignored() -> None:
    assert simulate("Write-Output 'hello'", {}, {}, {}, None) == ("", "", 0)
    assert simulate("# hpcshare-script: nonsense\n", {}, {}, {}, None) == ("", "", 0)


def test_attached_disks_are_respected(answers: Answers) -> None:
    cfg = configure_config(answers)
    rows, _, _, code = run(CONFIGURE, cfg, SHARE_PASSWORD, {"data_disks": [{"lun": 1, "size_gib": 1024}]})
    assert code == 1 and rows[0][1] == "failed" and "expected exactly 1 data disk of 1024 GiB at LUN 0, found 0" in rows[0][2]
    used = {"data_disks": [{"lun": 0, "size_gib": 1024, "file_system": "NTFS", "label": "payroll"}]}
    rows, _, _, code = run(CONFIGURE, cfg, SHARE_PASSWORD, used)
    # A disk holding someone else's volume is not a candidate: it is named in the list, never formatted.
    assert code == 1 and "found 0" in rows[0][2] and "2:1024GiB/LUN0/holds NTFS 'payroll'" in rows[0][2]
    assert used["disk_state"]["lun0"]["partitions"][0]["volume"]["label"] == "payroll"
    ok = {"data_disks": [{"lun": 0, "size_gib": 1024}]}
    assert run(CONFIGURE, cfg, SHARE_PASSWORD, ok)[3] == 0


def test_access_changes_converge(answers: Answers) -> None:
    server: dict[str, Any] = {}
    run(CONFIGURE, configure_config(answers), SHARE_PASSWORD, server)
    ro = make_answers(share__access="read")
    rows, _, _, code = run(CONFIGURE, configure_config(ro), SHARE_PASSWORD, server)
    assert code == 0
    assert dict((s, st) for s, st, _ in rows) == {"disk": "ok", "user": "ok", "file-server-role": "ok",
                                                   "folder-acl": "changed", "share": "changed",
                                                   "smb-hardening": "ok", "firewall": "ok"}
    assert "revoked" in rows[4][2] and "granted Read" in rows[4][2]
    rows, _, _, code = run(SELFTEST, self_test_config(ro), SHARE_PASSWORD, server)
    assert code == 0 and "Write refused, as expected" in rows[1][2]


def test_firewall_udp_and_encryption_toggles(answers: Answers) -> None:
    server: dict[str, Any] = {}
    run(CONFIGURE, configure_config(answers), SHARE_PASSWORD, server)
    more = make_answers(endpoints__udp_445=True, share__encrypt=True)
    rows, _, _, _ = run(CONFIGURE, configure_config(more), SHARE_PASSWORD, server)
    by = {s: (st, m) for s, st, m in rows}
    assert by["firewall"][0] == "changed" and "created rule hpcshare-SMB-In-UDP-445" in by["firewall"][1]
    assert by["smb-hardening"][0] == "changed" and "EncryptData=True" in by["smb-hardening"][1]
    assert by["share"][0] == "changed" and "encryption on" in by["share"][1]
    rows, _, _, _ = run(CONFIGURE, configure_config(answers), SHARE_PASSWORD, server)
    by = {s: (st, m) for s, st, m in rows}
    assert "removed rule hpcshare-SMB-In-UDP-445" in by["firewall"][1]
    assert "hpcshare-SMB-In-UDP-445" not in server["firewall_rules"]


def test_results_match_what_transports_parse(answers: Answers, secrets: Secrets) -> None:
    out, _, _ = simulate(CONFIGURE, {"ConfigB64": encode_param(configure_config(answers))},
                         {"SecretB64": encode_param(secret_params(answers, secrets))}, {}, None)
    lines = out.splitlines()
    assert len(lines) == 7 and all(ln.startswith("HPCSHARE_RESULT {") for ln in lines)
    assert all(ln.isascii() for ln in lines)


def test_reset_admin_password_like_the_script(answers: Answers) -> None:
    """reset-admin-password.ps1 as the stand-in answers it: the admin account's NT hash (what the
    stand-in's WinRM logon checks) becomes the new password's; another user name or a password
    the policy refuses fails like Set-LocalUser; the password is never echoed."""
    from spnego._ntlm_raw.crypto import ntowfv1

    from wizard.remote.config import admin_secret_params, reset_admin_config
    from wizard.remote.protocol import RESET_ADMIN_PASSWORD

    script = load_script(RESET_ADMIN_PASSWORD)
    server: dict[str, Any] = {"admin": {"name": answers.vm.admin_username,
                                          "nt_hash_ref": vault.keep(ntowfv1("Old-pass.w0rd").hex())}}
    new = "Nw9-pQ3.rT5_vX7:zB1+"
    params = {"ConfigB64": encode_param(reset_admin_config(answers))}
    out, err, code = simulate(script, params, {"SecretB64": encode_param(admin_secret_params(answers, new))}, server)
    rows = parse_results(out)
    assert code == 0 and [(r.step, r.status) for r in rows] == [("admin-password", "changed")]
    assert vault.recall(server["admin"]["nt_hash_ref"]) == ntowfv1(new).hex() and new not in out + err
    other = {"ConfigB64": encode_param({**reset_admin_config(answers), "admin_user": "someoneelse"})}
    out, _, code = simulate(script, other, {"SecretB64": encode_param({"admin_password": new})}, server)
    assert code == 1 and "no local user 'someoneelse'" in parse_results(out)[0].message
    out, _, code = simulate(script, params, {"SecretB64": encode_param({"admin_password": "short"})}, server)
    assert code == 1 and "password policy" in parse_results(out)[0].message
    assert vault.recall(server["admin"]["nt_hash_ref"]) == ntowfv1(new).hex()          # a refused reset changes nothing
    # The stand-in's injected sub-step failure (substep:admin-password) fires as Set-LocalUser's refusal.
    out, _, code = simulate(script, params, {"SecretB64": encode_param({"admin_password": "Other-pass.w0rd9"})},
                            server, fail_substep="admin-password")
    assert code == 1 and parse_results(out)[0].message.startswith("Set-LocalUser: ")
    assert vault.recall(server["admin"]["nt_hash_ref"]) == ntowfv1(new).hex()
