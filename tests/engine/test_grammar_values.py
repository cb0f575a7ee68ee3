"""Value parsing: --env/--set-image maps (pflag's StringToString) and the image reference check (distribution/reference's ReferenceRegexp, as kubectl's Validate uses it)."""

from __future__ import annotations

import pytest

from kdebug_nb.engine.grammar.envmap import MapSyntaxError, merge_pairs, parse_map
from kdebug_nb.engine.grammar.imageref import is_valid_image

# ---------------------------------------------------------------- maps


@pytest.mark.parametrize("value,pairs", [
    ("A=x,y", [("A", "x,y")]),          # exactly one '=': commas are not separators
    ("A=1,B", [("A", "1,B")]),
    ('"A=1"', [("A", "1")]),            # quotes stripped from the whole value
    ('""A=1""', [("A", "1")]),
    ("A=1,B=2", [("A", "1"), ("B", "2")]),  # 2+ '=': one CSV record
    ("A=b=c", [("A", "b=c")]),          # split at the first '='
    ("*=busybox,app=app-debugger", [("*", "busybox"), ("app", "app-debugger")]),
    ('"A=1,2",B=3', [("A", "1,2"), ("B", "3")]),  # quoted CSV field keeps its comma
    ("A=1, B=2", [("A", "1"), (" B", "2")]),     # spaces are kept
    ("FOO=", [("FOO", "")]),            # empty values are allowed
    ("A=1,A=2", [("A", "1"), ("A", "2")]),
])
def test_parse_map(value: str, pairs: list[tuple[str, str]]) -> None:
    assert parse_map(value) == pairs


@pytest.mark.parametrize("value,message", [
    ("FOO", "FOO must be formatted as key=value"),
    ("A=1,B=2,C", "C must be formatted as key=value"),
    ('A=1,B=x"y=2', 'bare " in non-quoted-field'),
    ('"A=1"x,B=2', 'extraneous or missing " in quoted-field'),
    ('"A=1,B=2', 'extraneous or missing " in quoted-field'),
])
def test_parse_map_errors(value: str, message: str) -> None:
    with pytest.raises(MapSyntaxError, match=message):
        parse_map(value)


def test_repeated_flags_accumulate_later_wins_first_position_kept() -> None:
    assert merge_pairs([("A", "1"), ("B", "2")], [("A", "3")], [("C", "4")]) == (
        ("A", "3"), ("B", "2"), ("C", "4"))


# ---------------------------------------------------------------- image references

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize("ref", [
    "busybox",
    "app:debug",
    "myproj/debug-tools",
    "localhost:5000/foo/bar:1.0",
    "gcr.io/distroless/static-debian11:debug-nonroot",
    f"busybox@{DIGEST}",
    "[::1]:5000/x",
    "a__b",
    "a--b",
    "registry.example.com/team/tool:v1.2.3",
    "Example.com/x",  # a domain may use uppercase
    f"docker.io/library/busybox:1.36@{DIGEST}",
])
def test_valid_images(ref: str) -> None:
    assert is_valid_image(ref)


@pytest.mark.parametrize("ref", [
    "Busybox",
    "busybox:",
    "image:label@deadbeef",
    "SUPERGOODIMAGE#1!!!!",
    "a___b",
    "",
    "busybox\n",
    "busybox@sha256:" + "a" * 31,
    "-busybox",
    "busybox:" + "t" * 129,
    "busybox:-tag",
])
def test_invalid_images(ref: str) -> None:
    assert not is_valid_image(ref)


# verdicts observed with kubectl 1.35 (--image=<ref>: "invalid image name" or not)
@pytest.mark.parametrize("ref,valid", [
    ("a-b-", False), ("a.b", True), ("a..b", False), ("a._b", False),
    ("example.com:/x", False), ("example.com:80/x", True), ("ex_ample.com/x", True),
    ("x/Y", False), ("x:Tag_1.0-", True), ("x:.tag", False),
    ("x@SHA256:" + "a" * 32, True), ("x@sha-256+b.c:" + "a" * 32, False),
    ("x@1sha:" + "a" * 32, False), ("[fe80::1%eth0]/x", False), ("[::1]/x", True),
    ("a/b/c/d", True), ("a//b", False), ("a/", False), ("/a", False), ("host-/x", False),
    ("-host/x", False), (f"a@{DIGEST}:x", False), ("éa", False), ("a b", False),
    ("localhost/x", True), ("1.2.3.4:5/a", True), ("UPPER.host:5/a:B", True),
])
def test_image_verdicts_observed_with_kubectl(ref: str, valid: bool) -> None:
    assert is_valid_image(ref) is valid


# exact messages observed with kubectl 1.35 for --env=<value>
@pytest.mark.parametrize("value,message", [
    ('"A=1,B=2', 'parse error on line 1, column 9: extraneous or missing " in quoted-field'),
    ('A=1,"B=2', 'parse error on line 1, column 9: extraneous or missing " in quoted-field'),
    ('A=1,"B=2"x', 'parse error on line 1, column 9: extraneous or missing " in quoted-field'),
    ('"A=1"x,B=2', 'parse error on line 1, column 5: extraneous or missing " in quoted-field'),
    ('A=1,B=x"y=2', 'parse error on line 1, column 8: bare " in non-quoted-field'),
    ('A="x"=1,B=2', 'parse error on line 1, column 3: bare " in non-quoted-field'),
    ('A=1,"B=2\n"x',
     'record on line 1; parse error on line 2, column 1: extraneous or missing " in quoted-field'),
])
def test_csv_errors_match_go(value: str, message: str) -> None:
    with pytest.raises(MapSyntaxError) as info:
        parse_map(value)
    assert str(info.value) == message


@pytest.mark.parametrize("value,pairs", [
    ('"A=1\nB",C=2', [("A", "1\nB"), ("C", "2")]),  # a quoted field may span lines
    ("A=1,B=2\r\nC=3", [("A", "1"), ("B", "2")]),    # only the first record counts
    ('"A=1""",B=2', [("A", '1"'), ("B", "2")]),
])
def test_csv_records_like_go(value: str, pairs: list[tuple[str, str]]) -> None:
    assert parse_map(value) == pairs
