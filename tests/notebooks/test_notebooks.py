"""Every notebook in notebooks/ runs top to bottom in a real kernel (nbclient).

Each notebook starts its own sandbox (its ``use_sandbox`` parameter is True by
default), exactly as on binder, and runs in a scratch directory so its history
and exports stay out of the checkout. The notebooks are stored without outputs.

Each narrative is then held to what it tells the reader: the key lines of the
cells it talks about, not whole outputs (times, names and process ids vary).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
NARRATIVES = (
    "quickstart",
    "fleet-security-audit",
    "runbook-crashloop",
    "runbook-distroless",
    "node-debugging",
    "training-profiles",
    "postmortem-template",
)

_executed: dict[str, tuple[Any, Path]] = {}


def execute(path: Path, workdir: Path, *, inject: str = "") -> Any:
    """Run ``path`` in a fresh kernel in ``workdir``; ``inject`` is papermill's
    "injected-parameters" cell, placed after the "parameters" one."""
    nb = nbformat.read(path, as_version=4)
    if inject:
        at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
        injected = nbformat.v4.new_code_cell(inject)
        injected.metadata["tags"] = ["injected-parameters"]
        nb.cells.insert(at + 1, injected)
    nbclient.NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(workdir)}},
        # a kernel takes over a minute to start when the machine's two cores are busy
        startup_timeout=240,
    ).execute()
    return nb


@pytest.fixture(scope="module")
def run_notebook(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Each notebook executed once for the module's tests: (notebook, its working directory)."""

    def run(name: str) -> tuple[Any, Path]:
        if name not in _executed:
            workdir = tmp_path_factory.mktemp(name)
            _executed[name] = (execute(NOTEBOOK_DIR / f"{name}.ipynb", workdir), workdir)
        return _executed[name]

    return run


def text_of(output: Any) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return str(output.get("text", ""))
    if kind in ("execute_result", "display_data"):
        data = output.get("data", {})
        return str(data.get("text/markdown") or data.get("text/plain") or "")
    if kind == "error":
        return f"{output.get('ename')}: {output.get('evalue')}"
    return ""


def out(nb: Any, source_contains: str, *, nth: int = 0) -> str:
    """The text outputs of the ``nth`` code cell whose source contains the string."""
    cells = [c for c in nb.cells if c.cell_type == "code" and source_contains in c.source]
    assert len(cells) > nth, f"no code cell {nth} with {source_contains!r}"
    # a stream may arrive in pieces (one print, two messages): pieces join as written
    parts = []
    for o in cells[nth].get("outputs", []):
        text = text_of(o)
        parts.append(text if o.get("output_type") == "stream" else f"\n{text}\n")
    return "".join(parts)


def html_of(nb: Any, source_contains: str) -> str:
    cell = next(c for c in nb.cells if c.cell_type == "code" and source_contains in c.source)
    return "".join(o.get("data", {}).get("text/html", "") for o in cell.get("outputs", []))


def errors_in(nb: Any) -> list[str]:
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(f"{output.get('ename')}: {output.get('evalue')}")
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                found += [ln for ln in output.get("text", "").splitlines() if ln.startswith("error: ")]
    return found


def empty_outputs(nb: Any) -> list[str]:
    """Outputs that show nothing: a display blanked instead of removed, or a stream
    with nothing but blank text (pieces of one stream show as one block)."""
    found = []
    for c in nb.cells:
        streams: dict[str, str] = {}
        for o in c.get("outputs", []):
            if o.get("output_type") == "stream":
                streams[o.get("name", "")] = streams.get(o.get("name", ""), "") + text_of(o)
            elif (o.get("output_type") != "error" and not text_of(o).strip()
                  and not set(o.get("data", {})) - {"text/plain", "text/html"}):
                found.append(c.source.splitlines()[0])
        found += [f"{c.source.splitlines()[0]} ({name})" for name, text in streams.items()
                  if not text.strip()]
    return found


def all_text(nb: Any) -> str:
    return json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)


def test_the_narratives_exist() -> None:
    assert set(NARRATIVES) <= {p.stem for p in NOTEBOOKS}
    assert not (NOTEBOOK_DIR / "postmortem.ipynb").exists()  # replaced by postmortem-template


def test_readme_lists_every_notebook() -> None:
    readme = (NOTEBOOK_DIR.parent / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert re.search(rf"^[-*] .*`notebooks/{re.escape(path.name)}`", readme, re.M), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_saved_clean_and_takes_one_parameter_cell(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert code[0].source.splitlines()[0] == "%load_ext kdebug_nb"
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and re.search(r"^use_sandbox = True\b", params[0].source, re.M)
    # the sandbox is skipped by the parameter, never started unconditionally
    starts = [c.source for c in code if "%ksandbox start" in c.source]
    assert starts and all("if use_sandbox:\n    %ksandbox start" in s for s in starts)
    assert any("real cluster" in c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("name", [n for n in NARRATIVES if n != "postmortem-template"])
def test_notebook_runs_clean(name: str, run_notebook: Any) -> None:
    nb, workdir = run_notebook(name)
    assert errors_in(nb) == []
    assert empty_outputs(nb) == []
    assert (workdir / "kdebug-history.jsonl").exists()
    text = all_text(nb)
    # the waiting line was updated away once output began; no asyncio noise reached a cell
    assert "⏳" not in text
    assert "Task was destroyed but it is pending" not in text
    assert "sandbox stopped" in out(nb, "%ksandbox stop")


def test_quickstart_tells_its_story(run_notebook: Any) -> None:
    nb, workdir = run_notebook("quickstart")
    assert re.search(r"\bcrasher\s+Running\s+0/1\s+\d+\s+\d+s$", out(nb, "kdebug_nb.pods("), re.M)
    assert 'exec: "ps": executable file not found' in out(nb, "exec_ps")
    ps = out(nb, "r = %kdebug")
    assert "PID" in ps and "neato" in ps and "exit 0" in ps
    assert out(nb, "r.exit_code, r.container").strip().startswith("(0, 'debugger-")
    assert "hello from" in out(nb, "%%kdebug")
    assert "copy mode" in out(nb, "--copy-to")
    assert "PRETTY_NAME=" in out(nb, "node/{node}")
    assert "%kdebug neato -n default --image=busybox --target=neato -- ps x" in out(
        nb, "--export quickstart-history.md")


def test_crashloop_runbook_finds_the_cause(run_notebook: Any) -> None:
    nb, workdir = run_notebook("runbook-crashloop")
    assert "has crashed and been restarted: True" in out(nb, "deadline")
    # between two crashes the container may be read waiting in back-off or just restarted
    assert re.search(r"crasher: (waiting \(CrashLoopBackOff\)|running \(-\)|terminated \(Error\)), "
                     r"[1-9]\d* restarts, last exit code 1 \(Error\)", out(nb, "row = status"))
    assert "BackOff" in out(nb, "%kevents") and "Back-off restarting failed container" in out(nb, "%kevents")
    assert "fatal: /etc/crasher/config.yaml not found" in out(nb, "previous_log = %klogs")
    assert "last line before the crash: fatal: /etc/crasher/config.yaml not found" in out(nb, "last_words =")
    assert "/etc/crasher/: No such file or directory" in out(nb, "--copy-to={pod}-debug")
    assert "copy deleted: True" in out(nb, "leftover")
    finding = out(nb, "finding = (")
    assert "Finding: crasher/crasher exits with code 1 (Error)" in finding
    assert "in a copy of the pod: ls: /etc/crasher/: No such file or directory" in finding
    exported = (workdir / "runbook-crashloop-history.md").read_text()
    assert "%kdebug crasher -n default --copy-to=crasher-debug -c crasher --rm" in exported


def test_distroless_runbook_sees_processes_files_and_network(run_notebook: Any) -> None:
    nb, _ = run_notebook("runbook-distroless")
    assert re.search(r"^\s*\d+ \S+\s+.*neato", out(nb, "ps = %kdebug"), re.M)
    assert re.search(r"neato processes seen from the debug container: [1-9]", out(nb, "app_lines"))
    files = out(nb, "%%kdebug")
    own, _, app = files.partition("--- the app's / (through /proc/1/root):")
    assert re.search(r"^bin$", own, re.M) and not re.search(r"^neato$", own, re.M)  # busybox's /
    assert re.search(r"^neato$", app, re.M) and not re.search(r"^bin$", app, re.M)  # the app's image
    assert 'NAME="example.com/neato"' in app and "exit 0" in files
    net = out(nb, "net = %kdebug")
    assert re.search(r"^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local$", net, re.M)
    assert re.search(r"^nameserver \S+", net, re.M) and "options ndots:5" in net
    assert re.search(r"^--- hostname\s+neato$", net, re.M)  # the pod's hostname
    assert re.search(r"^\d+: lo\s+inet 127\.0\.0\.1/8", net, re.M)
    seen = out(nb, "pod_ip =")
    assert "pod IP seen inside: True" in seen  # the debug container is in the pod's network
    assert re.search(r"^resolver: search default\.svc\.cluster\.local .*; nameserver \S+", seen, re.M)
    assert re.search(r"app container running, 0 restarts; 3 ephemeral containers, running: 0",
                     out(nb, "app = after"))


def test_node_debugging_shows_each_profile(run_notebook: Any) -> None:
    nb, _ = run_notebook("node-debugging")
    table = out(nb, "profiles = pd.DataFrame")
    rows: dict[str, list[str]] = {}
    for line in table.splitlines()[2:]:
        if line.strip():  # a wide frame prints in blocks: the first holds these columns
            rows.setdefault(line.split()[0], line.split()[1:])
    # hostPID hostNetwork /host privileged ...
    assert rows["general"][:4] == ["True", "True", "True", "False"]
    assert rows["baseline"][:4] == ["False", "False", "False", "False"]
    assert rows["netadmin"][:4] == ["True", "True", "False", "False"]
    assert rows["sysadmin"][:4] == ["True", "True", "True", "True"]
    assert "True" in table.splitlines()[[i for i, ln in enumerate(table.splitlines())
                                         if ln.startswith("restricted")][-1]]
    general = out(nb, "general = %kdebug")
    # the node's os-release at /host; the runtime's default capabilities, not all of them
    assert "PRETTY_NAME=" in general and re.search(r"CapEff:\s+00000000a80425fb", general)
    assert int(re.search(r"processes visible: (\d+)", general).group(1)) > 10  # the node's
    baseline = out(nb, "baseline = %kdebug")
    assert "/host: No such file or directory" in baseline
    assert int(re.search(r"processes visible: (\d+)", baseline).group(1)) < 10  # its own
    assert re.search(r"CapEff:\s+000001ffffffffff", out(nb, "sysadmin = %kdebug"))  # privileged
    assert re.search(r"left on the cluster: \['node-debugger-node-1-\w+'\]", out(nb, "kept = %kdebug"))
    cleaned = out(nb, "kdebug_nb.cleanup()")
    assert "deleted: ['pod/node-debugger-node-1-" in cleaned and "node debugging pods left: []" in cleaned


def test_training_profiles_ends_on_what_a_cluster_does(run_notebook: Any) -> None:
    nb, _ = run_notebook("training-profiles")
    comparison = out(nb, "comparison = pd.DataFrame")
    assert "SYS_PTRACE" in comparison and "RuntimeDefault" in comparison
    assert "NET_ADMIN" in out(nb, "--profile=netadmin --dry-run")
    assert "privileged: true" in out(nb, "--profile=sysadmin --dry-run")
    assert "uid=" in out(nb, "--profile=baseline -- id")
    assert re.search(r'general, secure namespace: refused: .*violates PodSecurity "restricted:latest"',
                     out(nb, 'attempt("general, secure namespace"'))
    # Pod Security admits the restricted profile; the kubelet then has the last word:
    # the pod's runAsUser applies to the debug container, and a pod naming no user
    # gets a root image refused
    assert "restricted, secure namespace: ran, exit 0: uid=1000 " in out(nb, 'attempt("restricted, secure')
    assert re.search(r"restricted, no user set: refused: .*CreateContainerConfigError: container has "
                     r"runAsNonRoot and image will run as root", out(nb, 'attempt("restricted, no user set"'))
    assert "restricted + runAsUser 1000: ran, exit 0: uid=1000 gid=1000" in out(nb, "run-as-1000.json")


def test_postmortem_template_builds_a_postmortem(run_notebook: Any) -> None:
    nb, workdir = run_notebook("postmortem-template")
    # the re-enacted incident holds one deliberate mistake, recorded like the rest
    errors = errors_in(nb)
    assert len(errors) == 1 and 'pods "crasher-typo" not found' in errors[0], errors
    assert empty_outputs(nb) == []
    assert re.search(r"^4 runs from \d\d:\d\d:\d\d to \d\d:\d\d:\d\d UTC$", out(nb, "read_history("), re.M)
    timeline_cell = next(c for c in nb.cells if c.cell_type == "code" and "timeline(history" in c.source)
    assert any("image/png" in o.get("data", {}) for o in timeline_cell.outputs)
    runs = out(nb, "runs = runs_frame")
    assert "in a copy of the pod, /etc/crasher does not exist" in runs and "<NA>" in runs
    document = (workdir / "postmortem.md").read_text()
    for section in ("# Postmortem: crasher in CrashLoopBackOff", "## Summary", "## Impact", "## Timeline",
                    "![Runs over time, coloured by outcome](postmortem-timeline.png)", "## Findings",
                    "## Root cause", "## Action items", "## Appendix: every run and its output"):
        assert section in document, section
    assert "| 3 | %kdebug crasher-typo --image=busybox -- true | mistyped pod name; no effect |" in document
    assert "| Restore the ConfigMap volume in the crasher deployment | team-crasher |" in document
    assert "ls: /etc/crasher/: No such file or directory" in document  # the appendix keeps output
    assert (workdir / "postmortem-timeline.png").stat().st_size > 1000
    assert "sandbox stopped" in out(nb, "%ksandbox stop")


PAYMENTS = """
name: payments-outage
namespaces:
  - name: prod
nodes:
  - name: node-a
pods:
  - apiVersion: v1
    kind: Pod
    metadata: {name: payments, namespace: prod}
    spec:
      restartPolicy: Always
      containers:
        - name: app
          image: busybox:1.36
          command: [sh, -c, "echo 'panic: DATABASE_URL is not set' >&2; exit 2"]
"""


def test_crashloop_runbook_on_a_real_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """use_sandbox=False: the notebook uses $KUBECONFIG like kubectl (here a cluster
    started outside the kernel, with other pods) and debugs what papermill names."""
    from kdebug_nb.sandbox import Sandbox

    scenario = tmp_path / "payments.yaml"
    scenario.write_text(PAYMENTS)
    workdir = tmp_path / "run"
    workdir.mkdir()
    with Sandbox(scenario) as cluster:
        monkeypatch.setenv("KUBECONFIG", str(cluster.kubeconfig))
        nb = execute(
            NOTEBOOK_DIR / "runbook-crashloop.ipynb", workdir,
            inject='use_sandbox = False\nnamespace = "prod"\npod = "payments"\ncontainer = "app"\n'
                   'inspect = "env | grep -c DATABASE_URL; ls /etc/payments"',
        )
    assert errors_in(nb) == []
    assert "sandbox running" not in all_text(nb)
    assert re.search(r"app: (waiting \(CrashLoopBackOff\)|running \(-\)|terminated \(Error\)), "
                     r"[1-9]\d* restarts, last exit code 2 \(Error\)", out(nb, "row = status"))
    assert "panic: DATABASE_URL is not set" in out(nb, "last_words =")
    finding = out(nb, "finding = (")
    assert "Finding: payments/app exits with code 2 (Error)" in finding
    assert "/etc/payments: No such file or directory" in finding
    history = (workdir / "runbook-crashloop-history.md").read_text()
    assert "%kdebug payments -n prod --copy-to=payments-debug -c app --rm" in history


def test_quickstart_module_runs(tmp_path: Path) -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "kdebug_nb.quickstart"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "%kdebug {pod} -n {namespace} --image={image} --target={container} -- ps x" in done.stdout
    assert "neato" in done.stdout and "quickstart finished" in done.stdout


def test_quickstart_runs_in_process_without_a_kernel(tmp_path: Path) -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "kdebug_nb.quickstart", "--in-process"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "sandbox stopped" in done.stdout and "quickstart finished" in done.stdout
    assert list(tmp_path.iterdir()) == []  # history and exports went to a scratch directory
