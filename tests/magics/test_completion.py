"""Tab completion through IPython's own completer, against the session sandbox."""

from __future__ import annotations

import time
from typing import Any

from kdebug_nb.magics import state_of
from kdebug_nb.magics.completion import CACHE_TTL, LookupCache


def complete(ip: Any, line: str) -> list[str]:
    """What a frontend gets: ipykernel asks ``Completer.completions`` (the jedi-era API)."""
    from IPython.core.completer import provisionalcompleter

    with provisionalcompleter():
        return [c.text for c in ip.Completer.completions(line, len(line))]


def test_pods_and_nodes_after_kdebug(ip: Any) -> None:
    assert "neato" in complete(ip, "%kdebug ne")
    assert "node/node-1" in complete(ip, "%kdebug node/")
    assert "neato" in complete(ip, "%%kdebug ne")


def test_flags_profiles_namespaces_containers(ip: Any) -> None:
    assert "--profile" in complete(ip, "%kdebug neato --pro")
    assert "general" in complete(ip, "%kdebug neato --profile=ge")
    assert "netadmin" in complete(ip, "%kdebug neato --profile ")
    assert "legacy" not in complete(ip, "%kdebug neato --profile ")
    assert "IfNotPresent" in complete(ip, "%kdebug neato --image-pull-policy=If")
    assert "yaml" in complete(ip, "%kdebug neato --dry-run -o ")
    assert "secure" in complete(ip, "%kdebug neato -n se")
    assert {"nginx", "log-shipper"} <= set(complete(ip, "%kdebug web -c "))
    assert "nginx" in complete(ip, "%kdebug web --image=busybox --target=ng")
    assert "audited" in complete(ip, "%kdebug -n secure au")
    assert complete(ip, "%kdebug neato --image=busybox -- ps") == [] or all(
        not m.startswith("--") for m in complete(ip, "%kdebug neato --image=busybox -- ps")
    )


def test_other_magics(ip: Any) -> None:
    assert "start" in complete(ip, "%ksandbox st")
    assert "--export" in complete(ip, "%khistory --ex")
    assert "crasher" in complete(ip, "%kstatus cr")


def test_klogs_and_kevents(ip: Any) -> None:
    assert "crasher" in complete(ip, "%klogs cr")
    assert "--previous" in complete(ip, "%klogs crasher --pr")
    assert {"nginx", "log-shipper"} <= set(complete(ip, "%klogs web -c "))
    assert "log-shipper" in complete(ip, "%klogs -n default web --tail 5 -c lo")
    assert "audited" in complete(ip, "%kevents -n secure au")
    assert "--selector" in complete(ip, "%kevents --se")
    assert "--previous" not in complete(ip, "%kevents --p")


def test_a_first_lookup_is_waited_for_and_a_refresh_never_blocks() -> None:
    cache = LookupCache()
    answers = iter(["first", "second"])

    def slow() -> list[str]:
        time.sleep(1.0)
        return [next(answers)]

    # nothing cached: an empty list would read as "no pods", so the answer is waited for
    assert cache.get(("k",), slow, 0.1) == ["first"]
    cache._cache[("k",)] = (time.monotonic() - CACHE_TTL - 1, ["first"])  # make it stale
    t0 = time.monotonic()
    assert cache.get(("k",), slow, 0.1) == ["first"]  # the stale answer, at once
    assert time.monotonic() - t0 < 0.8
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and cache.get(("k",), slow, 0.1) != ["second"]:
        time.sleep(0.1)
    assert cache.get(("k",), slow, 0.0) == ["second"]
    cache.close()


def test_a_lookup_that_never_answers_is_given_up(monkeypatch: Any) -> None:
    import kdebug_nb.magics.completion as completion

    monkeypatch.setattr(completion, "COLD_WAIT", 0.3)
    cache = LookupCache()
    t0 = time.monotonic()
    assert cache.get(("k",), lambda: time.sleep(3) or ["never"], 0.1) == []
    assert time.monotonic() - t0 < 2
    cache.close()


def test_first_tab_after_load_returns_candidates(sandbox: Any, tmp_path: Any) -> None:
    """A fresh shell: load, point at the cluster, Tab at once (no cache warmed yet)."""
    from ipython_shell import make_shell

    shell = make_shell(tmp_path / "ipython")
    shell.run_line_magic("load_ext", "kdebug_nb")
    try:
        shell.run_cell(
            f"%config KDebug.kubeconfig = {str(sandbox.kubeconfig)!r}\n"
            f"%config KDebug.context = {sandbox.context!r}\n"
            "%config KDebug.persist_history = False\n"
        )
        assert complete(shell, "%kdebug ne") == ["neato"]
        assert complete(shell, "%kdebug web -c ") == ["log-shipper", "nginx"]
    finally:
        shell.run_line_magic("unload_ext", "kdebug_nb")
    # unloaded: the matcher is gone with the magics
    assert all(getattr(m, "matcher_identifier", "") != "kdebug_nb.magics"
               for m in shell.Completer.custom_matchers)


def test_flag_values_are_only_that_flags_values(ip: Any) -> None:
    ip.user_ns.update(neat_variable=1, general_purpose=2, busy_flag=3)
    python_names = {"abs", "all", "neat_variable", "general_purpose", "busy_flag"}
    # the pod's containers (earlier tests may have added ephemeral ones), nothing else
    targets = complete(ip, "%kdebug neato --target=")
    assert "neato" in targets and not python_names & set(targets)
    assert all(t == "neato" or t.startswith("debugger-") for t in targets)
    assert complete(ip, "%kdebug neato --target=ne") == ["neato"]
    assert {"log-shipper", "nginx"} <= set(complete(ip, "%kdebug web --image=busybox --target "))
    assert complete(ip, "%kdebug neato --profile=") == ["baseline", "general", "netadmin", "restricted",
                                                         "sysadmin"]
    assert complete(ip, "%kdebug neato --profile=ge") == ["general"]
    assert complete(ip, "%kdebug neato --image=busy") == ["busybox", "busybox:1.36"]
    images = complete(ip, "%kdebug neato --image=")
    assert "busybox" in images and not python_names & set(images)
    # nothing matches: the word stays as typed, and no Python name is offered instead
    assert complete(ip, "%kdebug neato --profile=x") == ["x"]
    # {name} is IPython's expansion of a Python variable: there Python names are right
    assert "neat_variable" in complete(ip, "%kdebug {neat_va")


def test_unreachable_cluster_completes_nothing_quickly(bare_shell: Any) -> None:
    state = state_of(bare_shell)
    state.config.kubeconfig = "/nonexistent/kubeconfig"
    try:
        t0 = time.monotonic()
        complete(bare_shell, "%kdebug ne")
        assert time.monotonic() - t0 < 3
    finally:
        state.config.kubeconfig = ""
