from __future__ import annotations

import pytest

from kdebug_nb.runbook.redact import MASK, redact_args, redact_line, redact_text

JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2lnbmF0dXJlLXZhbHVl"
PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["neato", "--token=s3cr3t", "--image=busybox"], ["neato", f"--token={MASK}", "--image=busybox"]),
        (["neato", "--token", "s3cr3t"], ["neato", "--token", MASK]),
        (["--password", "hunter2", "x"], ["--password", MASK, "x"]),
        (["--client-key=/k.pem"], [f"--client-key={MASK}"]),
        (["--env=DB_PASSWORD=hunter2,MODE=x"], [f"--env=DB_PASSWORD={MASK},MODE=x"]),
        (["--env", "API_TOKEN=abc"], ["--env", f"API_TOKEN={MASK}"]),
        (["--", "env", "SECRET_KEY=abc", "cmd"], ["--", "env", f"SECRET_KEY={MASK}", "cmd"]),
        (["neato", "--image=busybox", "--", "ps", "x"], ["neato", "--image=busybox", "--", "ps", "x"]),
        (["--keep-labels=true", "--target=app"], ["--keep-labels=true", "--target=app"]),
    ],
)
def test_redact_args(argv: list[str], expected: list[str]) -> None:
    assert redact_args(argv) == expected


def test_redact_line_keeps_spelling_when_clean() -> None:
    line = "neato --image=busybox -- sh -c 'echo hi'"
    assert redact_line(line) == line
    assert "s3cr3t" not in redact_line("neato --token s3cr3t --image=busybox")


def test_redact_text_masks_tokens_pems_and_passwords() -> None:
    text = (
        f"token: {JWT}\n{PEM}\nAuthorization: Bearer abcdefghijklmnop\n"
        "password=hunter2\nDB_PASSWORD: 'x y'\nnothing secret here\n"
    )
    out = redact_text(text)
    for secret in (JWT, "MIIBszCCAVmgAwIBAgIU", "abcdefghijklmnop", "hunter2", "'x y'"):
        assert secret not in out
    assert "nothing secret here" in out


def test_redact_text_truncated_pem_block() -> None:
    out = redact_text("-----BEGIN RSA PRIVATE KEY-----\nMIIEow...cut off")
    assert "MIIEow" not in out


def test_working_directories_and_placeholders_are_not_hunted() -> None:
    from kdebug_nb.runbook.redact import Redactor

    r = Redactor()
    assert r.text("PWD=/root\nOLDPWD=/\n") == "PWD=/root\nOLDPWD=/\n"
    # masked where they stand, but "true" and "default" elsewhere stay readable
    assert r.text("USE_AUTH=true serviceAccountToken: default") == f"USE_AUTH={MASK} serviceAccountToken: {MASK}"
    assert r.text("-- true; namespace default") == "-- true; namespace default"
    assert r.known == ()


def test_remembered_values_are_masked_in_later_texts_and_args() -> None:
    from kdebug_nb.runbook.redact import Redactor

    r = Redactor()
    assert r.args(["--env=DB_PASS=hunter2", "--", "sh", "-c", "echo hunter2"]) == [
        f"--env=DB_PASS={MASK}", "--", "sh", "-c", f"echo {MASK}"
    ]
    assert r.text("login: hunter2\n") == f"login: {MASK}\n"


def test_short_values_are_masked_in_place_only() -> None:
    from kdebug_nb.runbook.redact import Redactor

    r = Redactor()
    assert r.text("TOKEN=abc and abc") == f"TOKEN={MASK} and abc"
