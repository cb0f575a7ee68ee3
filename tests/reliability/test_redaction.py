"""Credentials never reach the history: the cases found unmasked (issues 7 and 8)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from history_shell import kdebug_shell

from kdebug_nb.runbook import HistoryRecord, HistoryStore, redact_line, redact_text
from kdebug_nb.runbook.redact import MASK


def test_mask_keeps_the_rest_of_the_command() -> None:
    line = "neato --image=busybox -- sh -c 'echo password=hunter2; echo done'"
    assert redact_line(line) == "neato --image=busybox -- sh -c 'echo password=***; echo done'"


@pytest.mark.parametrize(
    "name", ["DB_PASS", "DB_PWD", "APP_SECRET", "GH_TOKEN", "SIGNING_KEY", "BASIC_AUTH", "AWS_CRED"]
)
def test_env_values_of_credential_names_are_masked(name: str) -> None:
    line = f"neato --image=busybox --env={name}=hunter2 -- env"
    assert redact_line(line) == f"neato --image=busybox --env={name}={MASK} -- env"
    assert "hunter2" not in redact_text(f"{name}=hunter2\nHOME=/root\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("git clone https://admin:s3cr3t@host/repo.git", f"git clone https://admin:{MASK}@host/repo.git"),
        ("curl 'http://u:p%40ss@10.0.0.1:8080/x'", f"curl 'http://u:{MASK}@10.0.0.1:8080/x'"),
    ],
)
def test_url_credentials_are_masked(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_glued_mysql_password_is_masked_in_args_lines_and_output() -> None:
    line = "db-0 --image=mysql -- mysql -uroot -phunter2 -e 'select 1'"
    assert redact_line(line) == f"db-0 --image=mysql -- mysql -uroot -p{MASK} -e 'select 1'"
    ps = "  PID USER     COMMAND\n   42 root     mysqldump -uroot -phunter2 shop\n"
    assert "hunter2" not in redact_text(ps)
    # -p of other programs is no password
    assert redact_text("ps -p1; cp -pr a b") == "ps -p1; cp -pr a b"


def _kubeconfig(path: Path, user: dict[str, Any]) -> Path:
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:1"}}],
                "users": [{"name": "u", "user": user}, {"name": "other", "user": {"token": "not-ours-123"}}],
                "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "ctx",
            }
        )
    )
    return path


def test_kubeconfig_credentials_of_the_current_user_are_masked(tmp_path: Path) -> None:
    from kdebug_nb.runbook.redact import Redactor

    key_pem = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIHsecretkeybody0123456789abcdef\n-----END EC PRIVATE KEY-----\n"
    key_data = base64.b64encode(key_pem.encode()).decode()
    path = _kubeconfig(
        tmp_path / "config",
        {"token": "tok-9f8e7d6c5b", "client-key-data": key_data, "password": "pa55-w0rd"},
    )
    redactor = Redactor()
    redactor.remember_kubeconfig(str(path), None)
    printed = (
        f"tok-9f8e7d6c5b\n{key_data}\nMHcCAQEEIHsecretkeybody0123456789abcdef\n"
        "login pa55-w0rd\nnot-ours-123\n"
    )
    out = redactor.text(printed)
    for secret in ("tok-9f8e7d6c5b", key_data, "MHcCAQEEIHsecretkeybody", "pa55-w0rd"):
        assert secret not in out
    assert "not-ours-123" in out  # another user's token is not this run's credential


def _history_text(history: Path) -> str:
    return history.read_text(encoding="utf-8")


def test_a_masked_value_is_masked_again_in_the_output(
    sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "h.jsonl"
    with kdebug_shell(sandbox.kubeconfig, sandbox.context, history) as ip:
        ip.run_cell(
            "r = %kdebug neato --image=busybox --env=DB_PASS=hunter2 -- "
            "sh -c 'echo connecting with $DB_PASS; echo done'"
        )
        assert "connecting with hunter2" in ip.user_ns["r"].output  # the run itself is untouched
    capsys.readouterr()
    (last,) = [json.loads(x) for x in _history_text(history).splitlines()][-1:]
    assert last["status"] == "ok"
    assert last["output"] == f"connecting with {MASK}\ndone\n"
    assert "hunter2" not in _history_text(history)


def test_the_run_kubeconfig_token_is_masked_in_line_and_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kdebug_nb.sandbox.server import Sandbox

    token = "kdebug-test-token-5d41402abc"
    history = tmp_path / "h.jsonl"
    with Sandbox(token=token) as sb:
        assert token in Path(sb.kubeconfig).read_text()  # the credential the run uses
        with kdebug_shell(sb.kubeconfig, sb.context, history) as ip:
            ip.run_cell(f"r = %kdebug neato --image=busybox -- echo the token is {token}")
            assert ip.user_ns["r"].exit_code == 0
    capsys.readouterr()
    text = _history_text(history)
    assert token not in text
    assert f"the token is {MASK}" in json.loads(text.splitlines()[-1])["output"]


def test_store_masks_known_values_in_records_built_without_its_redactor(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.jsonl")
    # what the magic does before a run: learn the credentials of its kubeconfig
    store.redactor.remember(["s3cr3t-value"])
    record = store.start(HistoryRecord.begin(line="neato --image=busybox -- echo s3cr3t-value"))
    store.finish(record.finish(status="ok", output="s3cr3t-value\n"))
    assert "s3cr3t-value" not in (tmp_path / "h.jsonl").read_text()


def test_the_kdebug_command_history_masks_the_same(sandbox: Any, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from kdebug_nb.runbook import read_history

    config = yaml.safe_load(Path(sandbox.kubeconfig).read_text())
    token = config["users"][0]["user"].get("token") or "no-token-in-this-kubeconfig"
    path = tmp_path / "runs.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "kdebug_nb.cli", "--kubeconfig", str(sandbox.kubeconfig),
         "neato", "-q", "--image=busybox", f"--history={path}", "--env=DB_PASS=hunter2", "--",
         "sh", "-c", f"echo password=hunter2; echo done; echo $DB_PASS {token}"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if k != "KUBECONFIG"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"password=hunter2\ndone\nhunter2 {token}\n"  # the terminal sees it all
    (run,) = read_history(path)
    assert f"--env=DB_PASS={MASK} -- sh -c 'echo password={MASK}; echo done; echo $DB_PASS {MASK}'" in run.line
    assert run.output == f"password={MASK}\ndone\n{MASK} {MASK}\n"
    assert "hunter2" not in path.read_text() and token not in path.read_text()
