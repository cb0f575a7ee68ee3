"""The ``kdebug`` console script: streams, notices, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import yaml
from runtime_support import make_pod, pod_names, wait_gone

from kdebug_nb.engine.client import ClusterClient


def _kdebug(sandbox: Any, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    return subprocess.run(
        [sys.executable, "-m", "kdebug_nb.cli", "--kubeconfig", str(sandbox.kubeconfig), *args],
        capture_output=True, text=True, timeout=120, env=env, input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
    )


def test_streams_output_and_exits_with_the_container_code(
    sandbox: Any, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    done = _kdebug(sandbox, pod, "-n", fresh_namespace, "--image=busybox", "--",
                   "sh", "-c", "echo hello; echo bad >&2; exit 7")
    assert done.returncode == 7, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Defaulting debug container name to debugger-")
    assert "hello" in lines and "bad" in lines
    assert "Traceback" not in done.stderr


def test_quiet_prints_only_the_output(sandbox: Any, cc: ClusterClient, fresh_namespace: str) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    done = _kdebug(sandbox, pod, "-n", fresh_namespace, "-q", "--image=busybox", "--target=app",
                   "--", "echo", "only this")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "only this\n"
    assert done.stderr == ""


def test_target_notice_and_legacy_warning_streams(
    sandbox: Any, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    done = _kdebug(sandbox, pod, "-n", fresh_namespace, "--image=busybox", "--target=app",
                   "--profile=legacy", "-c", "dbg", "--", "true")
    assert done.returncode == 0, done.stderr
    assert 'Targeting container "app".' in done.stdout
    assert "--profile=legacy is deprecated" in done.stderr


def test_stdin_is_passed_through(sandbox: Any, cc: ClusterClient, fresh_namespace: str) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    done = _kdebug(sandbox, pod, "-n", fresh_namespace, "-q", "-i", "--image=busybox", "--",
                   "sh", "-c", "tr a-z A-Z", input="shout\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "SHOUT\n"


def test_error_is_one_line_on_stderr(sandbox: Any, fresh_namespace: str) -> None:
    done = _kdebug(sandbox, "nope", "-n", fresh_namespace, "--image=busybox", "--", "true")
    assert done.returncode == 1
    assert done.stderr == (
        f'error: pods "nope" not found — in namespace "{fresh_namespace}" (-n picks another); '
        f'see which exist with kubectl get pods -n {fresh_namespace} or '
        f'kdebug_nb.pods("{fresh_namespace}")\n'
    )
    assert done.stdout == ""


def test_verbose_shows_the_traceback(sandbox: Any, fresh_namespace: str) -> None:
    done = _kdebug(sandbox, "nope", "-n", fresh_namespace, "--image=busybox", "--verbose",
                   "--", "true")
    assert done.returncode == 1
    assert "Traceback" in done.stderr
    assert done.stderr.rstrip().splitlines()[-1].startswith('error: pods "nope" not found — ')


def test_usage_error(sandbox: Any) -> None:
    done = _kdebug(sandbox, "web")
    assert done.returncode == 1
    assert done.stderr == "error: you must specify --image when not using --copy-to.\n"


def test_dry_run_prints_the_object(sandbox: Any, cc: ClusterClient, fresh_namespace: str) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    before = len(sandbox.requests)
    as_json = _kdebug(sandbox, pod, "-n", fresh_namespace, "-q", "--image=busybox", "-c", "dbg",
                      "--dry-run", "-o", "json", "--", "ls")
    assert as_json.returncode == 0, as_json.stderr
    body = json.loads(as_json.stdout)
    assert body["spec"]["ephemeralContainers"][0]["name"] == "dbg"
    as_yaml = _kdebug(sandbox, pod, "-n", fresh_namespace, "-q", "--image=busybox", "-c", "dbg",
                      "--dry-run", "-o", "yaml", "--", "ls")
    assert yaml.safe_load(as_yaml.stdout) == body
    assert all(r.method == "GET" for r in sandbox.requests[before:])


def test_dry_run_stdout_is_the_object_alone(
    sandbox: Any, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    done = _kdebug(sandbox, pod, "-n", fresh_namespace, "--image=busybox",
                   "--dry-run", "-o", "json", "--", "ls")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    name = body["spec"]["ephemeralContainers"][0]["name"]
    assert done.stderr == f"Defaulting debug container name to {name}.\n"


def test_help_prints_usage() -> None:
    done = subprocess.run([sys.executable, "-m", "kdebug_nb.cli", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.startswith("Usage:")
    assert "--copy-to" in done.stdout


def test_console_script_is_installed() -> None:
    script = os.path.join(os.path.dirname(sys.executable), "kdebug")
    if not os.path.exists(script):
        import pytest

        pytest.skip("kdebug console script not installed in this environment")
    done = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Usage:" in done.stdout


def test_failure_after_creation_names_what_is_left(
    sandbox: Any, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    done = _kdebug(sandbox, pod, "-n", fresh_namespace, "-q", "--image=example.com/nope:1",
                   "-c", "dbg", "--", "true")
    assert done.returncode == 1
    line = done.stderr.strip()
    assert "\n" not in line
    assert line.startswith(f'error: debug container "dbg" in pod "{pod}" cannot start: ')
    # what is left comes before the "— what to do" hint, as in the magics
    assert f"(still there: pod/{pod} ephemeral container dbg) — " in line


def test_ctrl_c_exits_130_and_says_how_to_read_the_log(
    sandbox: Any, cc: ClusterClient, fresh_namespace: str
) -> None:
    import signal

    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kdebug_nb.cli", "--kubeconfig", str(sandbox.kubeconfig), pod,
         "-n", fresh_namespace, "-q", "--image=busybox", "-c", "slow", "--", "sh", "-c",
         "echo tick; sleep 30"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "tick\n"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert f"kubectl logs {pod} -c slow -n {fresh_namespace}" in err


def test_node_notice_and_waiting_warnings(
    sandbox: Any, cc: ClusterClient, fresh_namespace: str
) -> None:
    done = _kdebug(sandbox, "node/node-1", "-n", fresh_namespace, "--image=busybox", "--rm",
                   "--profile=baseline", "--", "echo", "node ok")
    assert done.returncode == 0, done.stderr
    first, rest = done.stdout.split("\n", 1)
    assert first.startswith("Creating debugging pod node-debugger-node-1-")
    assert first.endswith(" with container debugger on node node-1.")
    assert rest == "node ok\n"
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    failed = _kdebug(sandbox, pod, "-n", fresh_namespace, "--image=example.com/nope:1",
                     "-c", "dbg", "--", "true")
    lines = failed.stderr.splitlines()
    assert any(x.startswith("Warning: container dbg: ") for x in lines[:-1]), lines
    assert lines[-1].startswith("error: ")


def test_server_warnings_reach_stderr_even_when_quiet(
    sandbox: Any, core_v1: Any, fresh_namespace: str
) -> None:
    core_v1.patch_namespace(fresh_namespace, {"metadata": {"labels": {
        "pod-security.kubernetes.io/warn": "restricted"}}})
    done = _kdebug(sandbox, "node/node-1", "-n", fresh_namespace, "-q", "--image=busybox",
                   "--profile=general", "--rm", "--", "echo", "warned")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "warned\n"
    assert done.stderr.startswith('Warning: would violate PodSecurity "restricted:latest": ')


def test_server_warnings_are_kept_in_the_result(
    conn: Any, core_v1: Any, fresh_namespace: str
) -> None:
    from kdebug_nb.engine import debug

    core_v1.patch_namespace(fresh_namespace, {"metadata": {"labels": {
        "pod-security.kubernetes.io/warn": "baseline"}}})
    r = debug("node/node-1", image="busybox", command=["true"], profile="sysadmin", rm=True,
              namespace=fresh_namespace, connection=conn)
    assert any(w.startswith('Warning: would violate PodSecurity "baseline:latest"')
               for w in r.warnings), r.warnings


def test_run_timeout_stops_following_with_a_one_line_message(
    sandbox: Any, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    t0 = time.monotonic()
    done = _kdebug(sandbox, pod, "-n", fresh_namespace, "-q", "--image=busybox", "-c", "slow",
                   "--run-timeout=2s", "--", "sh", "-c", "echo begun; sleep 30")
    took = time.monotonic() - t0
    assert done.returncode == 1, done.stderr
    assert done.stdout == "begun\n"
    err = done.stderr.strip().splitlines()
    assert len(err) == 1 and "--run-timeout 2s" in err[0] and "still running" in err[0], err
    assert f"kubectl logs {pod} -c slow -n {fresh_namespace}" in err[0]
    assert 2.0 <= took < 12, took  # interpreter start + the 2 s bound, never the command's 30 s


def test_run_timeout_with_rm_leaves_no_pod(
    sandbox: Any, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    copy = f"{pod}-x"
    done = _kdebug(sandbox, pod, "-n", fresh_namespace, "-q", "--image=busybox",
                   f"--copy-to={copy}", "--rm", "--run-timeout=2s", "--", "sleep", "30")
    assert done.returncode == 1, done.stderr
    assert "--run-timeout 2s" in done.stderr and f"pod/{copy} deleted (--rm)" in done.stderr
    wait_gone(cc, fresh_namespace, copy)
    assert pod_names(cc, fresh_namespace) == {pod}


def test_history_file_gets_each_run_appended(
    sandbox: Any, cc: ClusterClient, fresh_namespace: str, tmp_path: Any
) -> None:
    from kdebug_nb.runbook import read_history

    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    path = tmp_path / "runs.jsonl"
    first = _kdebug(sandbox, pod, "-n", fresh_namespace, "-q", "--image=busybox",
                    "--history", str(path), "--", "echo", "first")
    second = _kdebug(sandbox, pod, "-n", fresh_namespace, "-q", "--image=busybox",
                     f"--history={path}", "--", "sh", "-c", "exit 3")
    assert (first.returncode, second.returncode) == (0, 3), second.stderr
    assert first.stdout == "first\n"
    runs = read_history(path)
    assert [r.magic for r in runs] == ["kdebug", "kdebug"]
    assert [r.status for r in runs] == ["ok", "error"]
    assert runs[0].output == "first\n" and runs[1].exit_code == 3
    assert runs[0].line.endswith("-- echo first") and "--history" not in runs[0].line
    assert runs[0].context == sandbox.context and runs[0].namespace == fresh_namespace


def test_no_cluster_hint_is_the_cli_s_own(tmp_path: Any) -> None:
    """The engine says what is missing; the CLI adds how to get a cluster its way."""
    env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST")}
    env["HOME"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "kdebug_nb.cli", "neato", "--image=busybox"],
        capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: no Kubernetes configuration found")
    assert done.stderr.rstrip().endswith("— start a local cluster with: kdebug-sandbox serve")
    assert "%ksandbox" not in done.stderr and len(done.stderr.splitlines()) == 1
