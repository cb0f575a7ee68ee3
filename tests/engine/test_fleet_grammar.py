"""The fleet flags: parsing, kubectl get's selection rules, and the fleet's own checks."""

from __future__ import annotations

import pytest

from kdebug_nb.engine import Connection, Session
from kdebug_nb.engine.grammar import USAGE, parse_args, validate
from kdebug_nb.engine.grammar.fleet import is_fleet, needs_fleet, selected_kind, validate_fleet
from kdebug_nb.errors import UsageError


def fails(argv: str) -> str:
    """The first error of a fleet run's checks: its own, then kubectl's (as fleet.run does)."""
    with pytest.raises(UsageError) as info:
        opts = parse_args(argv)
        validate_fleet(opts)
        validate(opts)
    return str(info.value)


def test_fleet_flags_parse_with_their_defaults() -> None:
    opts = parse_args("-l app=web -A --image=busybox -- id")
    assert (opts.selector, opts.all_namespaces, opts.max_concurrency) == ("app=web", True, 0)
    assert opts.max_output == 1024 * 1024 and opts.run_timeout == 0 and opts.on_interrupt == "abandon"
    opts = parse_args("--field-selector=status.phase=Running --max-output=64Ki --run-timeout=5 "
                      "--on-interrupt=wait --qps=0 --burst=7 --max-concurrency=50 --image=busybox")
    assert opts.field_selector == "status.phase=Running"
    assert (opts.max_output, opts.run_timeout, opts.on_interrupt) == (65536, 5.0, "wait")
    assert (opts.qps, opts.burst, opts.max_concurrency) == (0.0, 7, 50)
    assert parse_args("--max-output=2M --image=b -l a=b").max_output == 2_000_000


def test_bad_byte_counts_are_syntax_errors_in_kubectls_words() -> None:
    with pytest.raises(UsageError, match='invalid argument "1MB" for "--max-output" flag'):
        parse_args("--max-output=1MB")


@pytest.mark.parametrize(("argv", "fleet"), [
    ("p --image=b", False),
    ("p q --image=b", True),
    ("-l a=b --image=b", True),
    ("-A --image=b", True),
    ("--field-selector=status.phase=Running --image=b", True),
    ("p --max-concurrency=2 --image=b", True),
    ("nodes -l role=worker --image=b", True),
])
def test_what_makes_a_fleet_run(argv: str, fleet: bool) -> None:
    assert is_fleet(parse_args(argv)) is fleet


def test_several_names_alone_still_pass_kubectls_checks_for_run_all() -> None:
    opts = parse_args("p q --image=b -i -- sh")
    assert is_fleet(opts) and not needs_fleet(opts)
    assert [t.name for t in validate(opts).targets] == ["p", "q"]  # Session.run_all, in turn


def test_nodes_are_selected_by_a_bare_type_or_named() -> None:
    assert selected_kind(parse_args("nodes -l a=b --image=b")) == "Node"
    assert selected_kind(parse_args("node/n1 node/n2 --image=b")) == "Node"
    assert selected_kind(parse_args("-l a=b --image=b")) == "Pod"


@pytest.mark.parametrize(("argv", "message"), [
    ("p -l a=b --image=b", "name cannot be provided when a selector is specified"),
    ("p q -A --image=b", "a resource cannot be retrieved by name across all namespaces"),
    ("p node/n --image=b", "a fleet run debugs pods or nodes, not both: run them separately"),
    ("p deploy/x --image=b", '"deploy" not supported by debug'),
    ("nodes -l a=b -A --image=b", "nodes have no namespace: drop -A"),
    ("-l a=b --max-concurrency=101 --image=b", "--max-concurrency must be between 1 and 100, not 101"),
    ("-l a=b --on-interrupt=panic --image=b", "--on-interrupt must be one of abandon, wait, not 'panic'"),
    ("-l a=b --image=b -i -- sh", "-i/-t attach to one container; a fleet run cannot share a "
     "terminal between pods"),
    ("-l a=b --image=b --dry-run", "--dry-run shows one object; dry-run one pod of the fleet instead"),
    ("-l a=b --copy-to=same --image=b", "--copy-to 'same' would give every copy the same name: "
     "use a template such as {pod}-debug"),
    ("-l a=b --copy-to={node}-x --image=b", "--copy-to '{node}-x': only {pod} and {namespace} may "
     "be used in a fleet run's copy name ('node')"),
    ("-l a=b --image=b --rm", "--rm needs"),
])
def test_fleet_rules(argv: str, message: str) -> None:
    assert fails(argv).startswith(message)


def test_copy_template_and_rm_pass() -> None:
    validate(parse_args("-l a=b --copy-to={pod}-debug --image=busybox --rm -- true"))
    validate(parse_args("nodes -l a=b --image=busybox --rm -- true"))


def test_help_lists_the_fleet_flags() -> None:
    assert "not supported yet" not in USAGE
    for flag in ("--selector", "--field-selector", "--all-namespaces", "--max-concurrency",
                 "--max-output", "--run-timeout", "--on-interrupt", "--qps", "--burst"):
        assert flag in USAGE


def test_a_single_run_given_a_selector_says_to_run_a_fleet(conn: Connection) -> None:
    session = Session(conn, record=False)
    with pytest.raises(UsageError, match=r"pick many pods: run this as a fleet with kdebug_nb\.run_fleet"):
        session.run("-A -l app=web --image=busybox -- true")
