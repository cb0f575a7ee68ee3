"""validate: kubectl's checks in kubectl's order (``Complete`` then ``Validate`` in staging/src/k8s.io/kubectl/pkg/cmd/debug/debug.go), then kdebug_nb's own.

Each case also breaks a *later* rule, so a test fails if the order is wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kdebug_nb.engine.debug_options import DebugOptions
from kdebug_nb.engine.grammar import Validated, parse_args, validate
from kdebug_nb.errors import UsageError


def fails(argv: str | list[str]) -> str:
    with pytest.raises(UsageError) as info:
        validate(parse_args(argv))
    return str(info.value)


# numbered in the order of kubectl's Validate; every argv also violates rules further down the list.
ORDERED = [
    ("1", "--attach=true -t --image-pull-policy=bad",
     "you must specify --container or create a new container using --image in order to attach."),
    ("2a", "--copy-to=c -t --image-pull-policy=bad",
     "you must specify --image, --set-image or command arguments."),
    ("2b", "--copy-to=c -t --image-pull-policy=bad -- sh",
     "you must specify an existing container or a new image when specifying args."),
    ("2c", "--replace --same-node --set-image=a=b -t",
     "--replace may only be used with --copy-to."),
    ("2d", "--same-node --set-image=a=b -t", "--same-node may only be used with --copy-to."),
    ("2e", "--set-image=a=b -t", "--set-image may only be used with --copy-to."),
    ("2f", "-t --image-pull-policy=bad", "you must specify --image when not using --copy-to."),
    ("3", "--image=Busybox -t --image-pull-policy=bad",
     'invalid image name "Busybox": invalid reference format'),
    ("4", "--image=busybox -t --image-pull-policy=bad", "NAME or filename is required for debug"),
    ("5", "p --image=busybox --image-pull-policy=always --copy-to=c --set-image=a=B -t",
     "invalid image pull policy: always"),
    ("6", "p --copy-to=c --set-image=app=Bad --target=x -t",
     'invalid image name "Bad" for container "app": invalid reference format'),
    ("7", "p --copy-to=c --image=busybox --target=app -t",
     "--target is incompatible with --copy-to. Use --share-processes instead."),
    ("8", "p --image=busybox -t", "-i/--stdin is required for containers with -t/--tty=true"),
]


@pytest.mark.parametrize("step,argv,message", ORDERED, ids=[c[0] for c in ORDERED])
def test_checks_in_kubectl_order(step: str, argv: str, message: str) -> None:
    assert fails(argv) == message


def test_implicit_attach_from_stdin_does_not_trigger_rule_1() -> None:
    assert fails("p -i --copy-to=c") == "you must specify --image, --set-image or command arguments."


def test_attach_with_container_passes_rule_1() -> None:
    validate(parse_args("p --attach --copy-to=c -c app -- sh"))


def test_unknown_profile_comes_before_everything() -> None:
    assert fails("--profile=debug --attach=true") == "unknown profile: debug"
    assert fails("p --image=busybox --profile=General") == "unknown profile: General"


def test_fleet_flags_make_a_fleet_run_that_passes_kubectls_checks_too() -> None:
    for argv in ("-l app=web --image=busybox", "-A --image=busybox",
                 "p q --max-concurrency=3 --image=busybox", "--selector=a=b --image=busybox"):
        validate(parse_args(argv))
    # kubectl's own rules still apply to a fleet run's flags
    assert fails("-l app=web") == "you must specify --image when not using --copy-to."


def test_targeting_notice_and_its_suppression() -> None:
    checked = validate(parse_args("p --image=busybox --target=app"))
    assert isinstance(checked, Validated)
    notices = checked.notices
    assert len(notices) == 1
    assert notices[0].startswith('Targeting container "app". ')
    assert "container runtime doesn't support this feature" in notices[0]
    assert validate(parse_args("p --image=busybox --target=app -q")).notices == ()


def test_node_targets_accept_target_and_copy_flags() -> None:
    # validation does not know the target's kind (Validate runs before the target is read)
    notices = validate(parse_args("node/n --image=busybox --target=app")).notices
    assert notices[0].startswith('Targeting container "app".')
    validate(parse_args("node/n --image=busybox --keep-labels --share-processes=false"))


def test_legacy_profile_warns_even_when_quiet() -> None:
    checked = validate(parse_args("p --image=busybox --profile=legacy -q"))
    assert checked.notices == ()
    assert len(checked.warnings) == 1 and "--profile=legacy is deprecated" in checked.warnings[0]
    assert validate(parse_args("p --image=busybox")).warnings == ()


def test_valid_commands() -> None:
    for argv in ("mypod -it --image=busybox", "mypod --copy-to=c --set-image=*=busybox",
                 "mypod --copy-to=c -c app -- sleep 1d", "node/n1 --image=busybox -- ls /host",
                 "-f pod.yaml --image=busybox", "p --image=busybox --image-pull-policy=Never"):
        assert validate(parse_args(argv)).notices == ()


def test_filenames_with_names_are_refused() -> None:
    assert fails("p -f pod.yaml --image=busybox") == (
        "resource/name arguments cannot be provided when a path is specified")


# ---------------------------------------------------------------- --custom (read in Complete, checked in Validate)


def test_custom_file_unreadable(tmp_path: Path) -> None:
    message = fails(f"p --image=busybox --custom={tmp_path / 'missing.json'}")
    assert message.startswith("must pass a container spec json file for custom profile")


def test_custom_file_unparsable(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("env: [unclosed\n")
    assert f"{bad} does not contain a valid container spec" in fails(f"p --image=b --custom={bad}")
    typed = tmp_path / "typed.json"
    typed.write_text('{"stdin": "yes"}')
    assert "does not contain a valid container spec" in fails(f"p --image=b --custom={typed}")


def test_custom_read_before_the_attach_check(tmp_path: Path) -> None:
    assert fails(f"--attach=true --custom={tmp_path / 'nope'}").startswith(
        "must pass a container spec json file")


@pytest.mark.parametrize("content", [
    '{"name": "x"}', '{"command": ["sh"]}', '{"image": "busybox"}', "lifecycle: {}\n",
    "volumeDevices: [{name: d, devicePath: /dev/x}]\n",
])
def test_custom_forbidden_fields(tmp_path: Path, content: str) -> None:
    spec = tmp_path / "spec"
    spec.write_text(content)
    assert fails(f"p --image=busybox -i --custom={spec}") == (
        "name, command, image, lifecycle and volume devices are not modifiable via custom profile")


def test_custom_forbidden_check_comes_after_tty(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text('{"image": "x"}')
    assert fails(f"p --image=busybox -t --custom={spec}").startswith("-i/--stdin is required")


@pytest.mark.parametrize("content", ['{"command": []}', '{"volumeDevices": []}', "", "null",
                                    '{"env": [{"name": "A", "value": "1"}]}'])
def test_custom_allowed(tmp_path: Path, content: str) -> None:
    spec = tmp_path / "spec"
    spec.write_text(content)
    validate(parse_args(f"p --image=busybox --custom={spec}"))


def test_custom_spec_inline() -> None:
    checked = validate(DebugOptions(targets=("p",), image="busybox", custom_spec={"tty": True}))
    assert checked.options.custom_spec is not None and checked.options.custom_spec["tty"] is True
    assert validate(checked.options) == checked  # validating again changes nothing
    with pytest.raises(UsageError, match="not modifiable via custom profile"):
        validate(DebugOptions(targets=("p",), image="busybox", custom_spec={"name": "x"}))


# ---------------------------------------------------------------- kdebug_nb's own rules


def test_rm_in_ephemeral_mode_is_refused() -> None:
    assert fails("p --image=busybox --rm -- ps") == (
        "--rm needs --copy-to or a node target: ephemeral containers cannot be removed from a pod")


def test_rm_with_copy_or_node_is_fine() -> None:
    validate(parse_args("p --copy-to=c --image=busybox --rm -- ps"))
    validate(parse_args("node/n --image=busybox --rm -- ls"))


def test_rm_with_detach_or_set_image_only() -> None:
    assert "--rm cannot be combined with --detach" in fails("node/n --image=b --rm --detach")
    assert "--set-image-only copy" in fails("p --copy-to=c --set-image=*=busybox --rm")


def test_output_needs_dry_run_and_a_known_format() -> None:
    assert fails("p --image=busybox -o json") == "-o/--output is only used with --dry-run"
    assert fails("p --image=busybox --dry-run -o wide") == (
        'unable to match a printer suitable for the output format "wide", allowed formats are: '
        "json,yaml")
    validate(parse_args("p --image=busybox --dry-run"))


@pytest.mark.parametrize("timeout", ["0", "-1", "nan", "inf"])
def test_timeout_must_be_positive_and_finite(timeout: str) -> None:
    assert fails(f"p --image=busybox --timeout={timeout}").startswith(
        "--timeout must be a positive number of seconds")


def test_detach_contradicts_explicit_attach() -> None:
    assert "contradict" in fails("p --image=busybox --detach --attach=true")
    validate(parse_args("p --image=busybox --detach -i"))


def test_kubectl_checks_come_before_ours() -> None:
    assert fails("p -o json") == "you must specify --image when not using --copy-to."


# Go's %q, as kubectl 1.35 prints these image names
@pytest.mark.parametrize("image,quoted", [
    ("a\x01b", '"a\\x01b"'), ("\tx", '"\\tx"'), ("é", '"é"'), ("a\u200bb", '"a\\u200bb"'),
    ('q"x', '"q\\"x"'), ("back\\slash", '"back\\\\slash"'), ("x\x7f", '"x\\x7f"'),
    ("\U0001F600", '"\U0001F600"'),
])
def test_names_are_quoted_like_go(image: str, quoted: str) -> None:
    assert fails(["p", f"--image={image}"]) == f"invalid image name {quoted}: invalid reference format"
