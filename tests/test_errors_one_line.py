"""The one-line form every adapter shows for an engine error."""

from __future__ import annotations

from kdebug_nb import errors


def test_plain_message_is_folded_to_one_line() -> None:
    assert errors.NotFound('pods "x"\n  not found').one_line() == 'pods "x" not found'


def test_leftovers_come_before_the_hint() -> None:
    exc = errors.ImageError(
        'cannot start: ErrImagePull — check the image name',
        leftovers=("pod/web ephemeral container dbg",),
    )
    assert exc.one_line() == (
        "cannot start: ErrImagePull (still there: pod/web ephemeral container dbg)"
        " — check the image name"
    )


def test_leftovers_without_a_hint_end_the_line() -> None:
    exc = errors.StartTimeout("did not start", leftovers=("pod/a", "pod/b"))
    assert exc.one_line() == "did not start (still there: pod/a, pod/b)"
    assert exc._render_traceback_() == ["StartTimeout: did not start (still there: pod/a, pod/b)"]
