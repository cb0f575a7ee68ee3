"""Tab completion through IPython's own completer, against the session sandbox."""

from __future__ import annotations

import time
from typing import Any

from kdebug_nb.magics import state_of
from kdebug_nb.magics.completion import LookupCache


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


def test_slow_lookups_never_block() -> None:
    cache = LookupCache()

    def slow() -> list[str]:
        time.sleep(2)
        return ["late"]

    t0 = time.monotonic()
    assert cache.get(("k",), slow, 0.1) == []
    assert time.monotonic() - t0 < 1.0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and cache.get(("k",), slow, 0.1) != ["late"]:
        time.sleep(0.1)
    assert cache.get(("k",), slow, 0.0) == ["late"]
    cache.close()


def test_unreachable_cluster_completes_nothing_quickly(bare_shell: Any) -> None:
    state = state_of(bare_shell)
    state.config.kubeconfig = "/nonexistent/kubeconfig"
    try:
        t0 = time.monotonic()
        complete(bare_shell, "%kdebug ne")
        assert time.monotonic() - t0 < 3
    finally:
        state.config.kubeconfig = ""
