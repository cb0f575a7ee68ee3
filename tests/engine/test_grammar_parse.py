"""parse_args: pflag's rules as kubectl debug applies them (github.com/spf13/pflag, flag.go ``parseArgs``)."""

from __future__ import annotations

import pytest

from kdebug_nb.engine.debug_options import DebugOptions
from kdebug_nb.engine.grammar import (
    FLAGS,
    USAGE,
    parse_args,
    parse_target,
    target_kind,
    usage,
)
from kdebug_nb.errors import UsageError


def test_interleaving_flags_and_targets_is_the_same_command() -> None:
    a = parse_args("mypod -it --image=busybox")
    b = parse_args("-it --image=busybox mypod")
    assert a == b
    assert a.targets == ("mypod",) and a.stdin and a.tty and a.image == "busybox"


def test_words_after_dashdash_are_the_command() -> None:
    opts = parse_args(["mypod", "--image", "busybox", "--", "sh", "-c", "echo --image=x"])
    assert opts.targets == ("mypod",)
    assert opts.command == ("sh", "-c", "echo --image=x")
    assert opts.image == "busybox"


def test_dashdash_with_nothing_after_gives_an_empty_command() -> None:
    assert parse_args("mypod --image=busybox --").command == ()


def test_without_dashdash_extra_words_are_targets() -> None:
    # kubectl debug mypod sh --image=busybox debugs two pods, mypod and sh
    opts = parse_args("mypod sh --image=busybox")
    assert opts.targets == ("mypod", "sh")
    assert opts.command == ()


def test_several_typed_targets() -> None:
    opts = parse_args("pod/a pods/b po/c node/n1 nodes/n2 no/n3 --image=busybox")
    assert opts.targets == ("pod/a", "pods/b", "po/c", "node/n1", "nodes/n2", "no/n3")
    kinds = [parse_target(t).kind for t in opts.targets]
    assert kinds == ["Pod", "Pod", "Pod", "Node", "Node", "Node"]
    assert [parse_target(t).name for t in opts.targets] == ["a", "b", "c", "n1", "n2", "n3"]


def test_parse_target_bare_name_and_other_types() -> None:
    assert parse_target("web").kind == "Pod"
    assert parse_target("web").name == "web"
    assert target_kind("deployment/web") == ""
    assert parse_target("nodes.v1./n").kind == "Node"
    with pytest.raises(UsageError, match='"deployment" not supported by debug'):
        parse_target("deployment/web")


def test_string_flag_takes_next_word_even_if_it_starts_with_a_dash() -> None:
    opts = parse_args("mypod --image -weird -c --x")
    assert opts.image == "-weird"
    assert opts.container == "--x"


def test_long_flag_with_equals_and_empty_value() -> None:
    assert parse_args("mypod --image=").image == ""
    assert parse_args("mypod --container=a=b").container == "a=b"


def test_bool_takes_a_value_only_with_equals() -> None:
    # --attach false: "false" becomes a target
    opts = parse_args("mypod --attach false --image=busybox")
    assert opts.attach is True
    assert opts.targets == ("mypod", "false")
    assert parse_args("mypod --attach=false").attach is False
    assert parse_args("mypod --keep-init-containers=false").keep_init_containers is False
    assert parse_args("mypod --share-processes=false").share_processes is False
    assert parse_args("mypod --share-processes").share_processes is True


@pytest.mark.parametrize("word,value", [("1", True), ("t", True), ("T", True), ("TRUE", True),
                                        ("true", True), ("True", True), ("0", False),
                                        ("f", False), ("F", False), ("FALSE", False),
                                        ("false", False), ("False", False)])
def test_bool_values_follow_go_parsebool(word: str, value: bool) -> None:
    assert parse_args(f"p --replace={word}").replace is value


def test_not_given_is_none_for_attach_and_share_processes() -> None:
    opts = parse_args("mypod --image=busybox")
    assert opts.attach is None and opts.share_processes is None
    assert opts.keep_init_containers is True
    assert opts.profile == "general"
    assert opts.timeout == 60.0


@pytest.mark.parametrize("combo", ["-it", "-ti", "-i -t"])
def test_combined_short_booleans(combo: str) -> None:
    opts = parse_args(f"mypod {combo} --image=busybox")
    assert opts.stdin and opts.tty


def test_qit_combination() -> None:
    opts = parse_args("mypod -qit --image=busybox")
    assert opts.quiet and opts.stdin and opts.tty


@pytest.mark.parametrize("argv", ["mypod -cfoo", "mypod -c foo", "mypod -c=foo",
                                  "mypod --container foo", "mypod --container=foo",
                                  "mypod -itcfoo"])
def test_short_string_flag_attached_or_separate(argv: str) -> None:
    assert parse_args(argv).container == "foo"


def test_namespace_short_forms() -> None:
    assert parse_args("p -n ns").namespace == "ns"
    assert parse_args("p -nns").namespace == "ns"
    assert parse_args("p --namespace=ns --context ctx --kubeconfig /k").context == "ctx"
    assert parse_args("p --kubeconfig /k").kubeconfig == "/k"


def test_short_bool_with_equals_value() -> None:
    assert parse_args("p -i=false").stdin is False
    assert parse_args("p -t=true -i").tty is True


def test_every_kubectl_debug_flag_reaches_its_field(tmp_path) -> None:
    custom = tmp_path / "c.yaml"
    opts = parse_args([
        "web", "--arguments-only", "--attach=true", "-c", "dbg", "--copy-to", "web-copy",
        "--custom", str(custom), "--env", "A=1", "-f", "pod.yaml", "--image", "busybox",
        "--image-pull-policy", "Always", "--keep-annotations", "--keep-init-containers=false",
        "--keep-labels", "--keep-liveness", "--keep-readiness", "--keep-startup",
        "--profile", "sysadmin", "-q", "--replace", "--same-node", "--set-image", "app=x",
        "--share-processes=false", "-i", "--target", "app", "-t",
    ])
    assert opts == DebugOptions(
        targets=("web",), arguments_only=True, attach=True, container="dbg", copy_to="web-copy",
        custom=str(custom), env=(("A", "1"),), filenames=("pod.yaml",), image="busybox",
        image_pull_policy="Always", keep_annotations=True, keep_init_containers=False,
        keep_labels=True, keep_liveness=True, keep_readiness=True, keep_startup=True,
        profile="sysadmin", quiet=True, replace=True, same_node=True, set_image=(("app", "x"),),
        share_processes=False, stdin=True, target="app", tty=True,
    )


def test_own_flags() -> None:
    opts = parse_args("p --image=b --detach --timeout 2.5 --rm -v")
    assert opts.detach and opts.rm and opts.verbose and opts.timeout == 2.5
    opts = parse_args("p --timeout=1e1 -l app=web -A --max-concurrency 4")
    assert opts.timeout == 10.0
    assert opts.selector == "app=web" and opts.all_namespaces and opts.max_concurrency == 4


def test_kubectl_log_levels_mean_verbose() -> None:
    assert parse_args("p -v").verbose is True
    assert parse_args("p -v=6").verbose is True
    assert parse_args("p --v=6").verbose is True
    assert parse_args("p --v=0").verbose is False
    assert parse_args("p --verbose=false").verbose is False
    # like a boolean, -v does not take the next word
    assert parse_args("p -v 6").targets == ("p", "6")


def test_dry_run_forms_and_output_default() -> None:
    assert parse_args("p --dry-run").dry_run is True
    assert parse_args("p --dry-run").output == "yaml"
    assert parse_args("p --dry-run=client -o json").output == "json"
    assert parse_args("p --dry-run=none").dry_run is False
    assert parse_args("p -ojson").output == "json"
    with pytest.raises(UsageError, match="--dry-run=server is not supported"):
        parse_args("p --dry-run=server")
    with pytest.raises(UsageError, match=r'Invalid dry-run value \(maybe\)'):
        parse_args("p --dry-run=maybe")
    # like a boolean, --dry-run does not take the next word
    assert parse_args("p --dry-run client").targets == ("p", "client")


def test_env_and_set_image_repeat_and_accumulate() -> None:
    opts = parse_args("p --env=A=1 --env B=2,C=3 --env A=9 --set-image=*=busybox,app=app-debugger")
    assert opts.env == (("A", "9"), ("B", "2"), ("C", "3"))
    assert opts.set_image == (("*", "busybox"), ("app", "app-debugger"))


def test_filenames_repeat_and_split_on_commas() -> None:
    assert parse_args("-f a.yaml -f b.yaml,c.yaml --filename=d.yaml").filenames == (
        "a.yaml", "b.yaml", "c.yaml", "d.yaml")


def test_underscores_normalise_to_dashes_like_kubectl() -> None:
    assert parse_args("p --copy_to=x").copy_to == "x"


def test_leading_kubectl_debug_is_dropped() -> None:
    assert parse_args("kubectl debug mypod --image=busybox").targets == ("mypod",)


def test_lone_dash_is_a_positional() -> None:
    assert parse_args("p -").targets == ("p", "-")


def test_shell_quoting_of_a_line() -> None:
    opts = parse_args("p --image=busybox -- sh -c 'echo \"a b\"; ls'")
    assert opts.command == ("sh", "-c", 'echo "a b"; ls')


def test_unbalanced_quotes_are_a_usage_error() -> None:
    with pytest.raises(UsageError, match="cannot split"):
        parse_args("p -- sh -c 'oops")


def test_help_flag() -> None:
    assert parse_args("--help").help is True
    assert parse_args("p -h").help is True


# ---------------------------------------------------------------- syntax errors, pflag wording


@pytest.mark.parametrize("argv,message", [
    ("p --foo", "unknown flag: --foo"),
    ("p --foo=bar", "unknown flag: --foo"),
    ("p -x", "unknown shorthand flag: 'x' in -x"),
    ("p -ix", "unknown shorthand flag: 'x' in -x"),
    ("p --image", "flag needs an argument: --image"),
    ("p -c", "flag needs an argument: 'c' in -c"),
    ("p -ic", "flag needs an argument: 'c' in -c"),
    ("p ---x", "bad flag syntax: ---x"),
    ("p --attach=x",
     'invalid argument "x" for "--attach" flag: strconv.ParseBool: parsing "x": invalid syntax'),
    ("p --attach=",
     'invalid argument "" for "--attach" flag: strconv.ParseBool: parsing "": invalid syntax'),
    ("p -i=yes",
     'invalid argument "yes" for "-i, --stdin" flag: strconv.ParseBool: parsing "yes": invalid syntax'),
    ("p --timeout=soon",
     'invalid argument "soon" for "--timeout" flag: strconv.ParseFloat: parsing "soon": invalid syntax'),
    ("p --max-concurrency=x",
     'invalid argument "x" for "--max-concurrency" flag: strconv.ParseInt: parsing "x": invalid syntax'),
    ("p --env=FOO",
     'invalid argument "FOO" for "--env" flag: FOO must be formatted as key=value'),
    ("p --set-image=a=1,b=2,c",
     'invalid argument "a=1,b=2,c" for "--set-image" flag: c must be formatted as key=value'),
])
def test_syntax_errors_use_pflag_wording(argv: str, message: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_args(argv)
    assert str(info.value) == message


# ---------------------------------------------------------------- FLAGS and USAGE


def test_flags_metadata_covers_every_option_field() -> None:
    dests = {f.dest for f in FLAGS}
    fields = set(DebugOptions.__dataclass_fields__) - {"targets", "command", "custom_spec"}
    assert fields == dests
    names = [f.name for f in FLAGS]
    assert len({f.dest for f in FLAGS}) == len(FLAGS) - 1  # --v is an alias of --verbose
    shorts = [f.short for f in FLAGS if f.short]
    assert len(names) == len(set(names)) and len(shorts) == len(set(shorts))


def test_flags_metadata_for_completion() -> None:
    by_name = {f.name: f for f in FLAGS}
    assert by_name["image"].takes_value and not by_name["stdin"].takes_value
    assert by_name["stdin"].short == "i"
    assert by_name["image-pull-policy"].choices == ("Always", "IfNotPresent", "Never")
    assert "legacy" not in by_name["profile"].choices  # deprecated, not advertised
    assert by_name["env"].repeatable and by_name["filename"].repeatable
    assert not by_name["dry-run"].takes_value


def test_usage_lists_every_flag_and_examples() -> None:
    for flag in FLAGS:
        assert f"--{flag.name}" in USAGE
        if flag.short:
            assert f"-{flag.short}, --{flag.name}" in USAGE
    assert "Examples:" in USAGE and "kubectl debug mypod --image=busybox -- ps x" in USAGE
    assert "%kdebug mypod --image=busybox -- ps x" in usage("%kdebug")
    assert "%kdebug" not in USAGE  # the engine names no adapter
    assert "Default: 60" in USAGE and "Default: general" in USAGE


# ---------------------------------------------------------------- observed with kubectl 1.35
# Each argv was run through kubectl 1.35 against the sandbox; kubectl either failed
# validation with the given message or went on to read the given first target.


@pytest.mark.parametrize("argv,outcome", [
    ("--attach false zz --image=busybox", ("target", "false")),
    ("--image -it zz", ("error", 'invalid image name "-it": invalid reference format')),
    ("-itc zz --image=busybox t1", ("target", "t1")),
    ("-tic zz t1 --image=busybox", ("target", "t1")),
    ("-iq t1 --image=busybox -t=false", ("target", "t1")),
    ("t1 --image=busybox -it=false", ("target", "t1")),
    ("t1 -- --image=x", ("error", "you must specify --image when not using --copy-to.")),
    ("-- t1 --image=busybox", ("error", "you must specify --image when not using --copy-to.")),
    ("--image=busybox - t1", ("target", "-")),
    ("t1 --image=busybox --keep-init-containers false", ("target", "t1")),
    ("t1 --image=busybox --env==x", ("target", "t1")),
    ("t1 --image=busybox --env=A=1,=2", ("target", "t1")),
    ("t1 --copy-to=c --set-image==x", ("target", "t1")),
    ("t1 --image=busybox --profile=", ("error", "unknown profile: ")),
    ("t1 --image=busybox --image-pull-policy=", ("target", "t1")),
    ("t1 --image=busybox --quiet=T -i=1 -t=True", ("target", "t1")),
    ("t1 --image=busybox -i=0 -t", ("error", "-i/--stdin is required for containers with -t/--tty=true")),
    ("t1 --image=busybox ----", ("error", "bad flag syntax: ----")),
    ("t1 --image=busybox --=x", ("error", "bad flag syntax: --=x")),
    ("t1 --image=busybox --attach=true --container=", ("target", "t1")),
    ("t1 --image=busybox --same-node=0 --copy-to=", ("target", "t1")),
    ("t1 --image=busybox --v=3", ("target", "t1")),
    ("t1 --image=busybox -v=3", ("target", "t1")),
])
def test_outcomes_observed_with_kubectl(argv: str, outcome: tuple[str, str]) -> None:
    from kdebug_nb.engine.grammar import validate

    try:
        opts = parse_args(argv)
        validate(opts)
        got = ("target", opts.targets[0])
    except UsageError as exc:
        got = ("error", str(exc))
    assert got == outcome
