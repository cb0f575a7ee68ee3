"""The ``kdebug`` console script: ``kubectl debug`` grammar, engine behaviour.

Streams the debug container's output to stdout while it runs, prints
kubectl's informational lines (unless ``-q``) and exits with the
container's exit code. Errors are one line on stderr (``error: ...``, exit
1); ``--verbose`` adds the traceback. ``--history FILE`` (or
``$KDEBUG_HISTORY``) appends each run to a JSON Lines history, the same
format ``%khistory --all`` reads.

``-it`` at a terminal is an interactive session as with ``kubectl debug -it``
(``kdebug_nb.terminal``): raw mode once attached, every key to the container,
the window size sent and updated; elsewhere (a pipe) stdin is read to its end,
then sent.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

HISTORY_ENV = "KDEBUG_HISTORY"
#: the CLI's own hint where the engine's message says what is missing
_CONFIG_HINT = "start a local cluster with: kdebug-sandbox serve"


def _before_dashdash(argv: Sequence[str]) -> list[str]:
    words = list(argv)
    return words[: words.index("--")] if "--" in words else words


def _take_history(args: list[str]) -> tuple[list[str], str]:
    """Remove ``--history FILE`` / ``--history=FILE`` (before ``--``) from ``args``."""
    head = _before_dashdash(args)
    rest = args[len(head):]
    path = os.environ.get(HISTORY_ENV, "")
    kept: list[str] = []
    i = 0
    while i < len(head):
        word = head[i]
        if word == "--history":
            if i + 1 >= len(head):
                from kdebug_nb.engine import UsageError

                raise UsageError("flag needs an argument: --history")
            path, i = head[i + 1], i + 2
            continue
        if word.startswith("--history="):
            path = word.split("=", 1)[1]
        else:
            kept.append(word)
        i += 1
    return kept + rest, path


@contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP end a run the way Ctrl-C does.

    Their default action kills the process on the spot, leaving a ``--copy-to
    --rm`` copy running and an ephemeral container unreported; as an
    interrupt, the run stops following, ``--rm`` deletes what it made, and
    the exit code is 130 as after SIGINT.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    wanted = [signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])]
    previous = {signum: signal.signal(signum, interrupt) for signum in wanted}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    head = _before_dashdash(args)
    verbose = "--verbose" in head or "--verbose=true" in head
    if "--help" in head or "-h" in head:
        from kdebug_nb.engine import usage as grammar_usage

        # one grammar, one help text; here the command is a program, not a magic
        usage = grammar_usage("kdebug").rstrip("\n")
        sys.stdout.write(usage + f"\n\nkdebug's own:\n  --history=PATH{'':18} Append each run "
                         f"to this JSON Lines history (or set ${HISTORY_ENV}).\n")
        return 0
    try:
        with _signals_interrupt():
            return _run(args, sys.stdout, sys.stderr)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        # `kdebug ... | head`: the reader left; not an error worth a traceback
        sys.stderr.close()
        return 141
    except Exception as exc:
        from kdebug_nb.engine import Interrupted, KDebugError

        if verbose:
            traceback.print_exc(file=sys.stderr)
        if isinstance(exc, KDebugError):
            line = exc.one_line()
            if exc.suggest_cluster:
                line += f" — {_CONFIG_HINT}"
            sys.stderr.write(f"error: {line}\n")
            return 130 if isinstance(exc, Interrupted) else 1
        if not verbose:
            sys.stderr.write(f"error: {type(exc).__name__}: {exc} (rerun with --verbose)\n")
        return 1


def _run(argv: list[str], out: TextIO, err: TextIO) -> int:
    from kdebug_nb.engine import RunEvent, RunNotice, RunOutput, Session, is_fleet, parse_args

    argv, history = _take_history(argv)
    opts = parse_args(argv)
    store = None
    if history:
        from kdebug_nb.runbook.store import HistoryStore

        store = HistoryStore(history)
    session = Session(history=store, record=store is not None)
    if is_fleet(opts):
        from kdebug_nb.cli_fleet import run_fleet

        return run_fleet(session, opts, out, err)
    # A dry run's stdout is the object alone, so it can be piped to jq or
    # kubectl; kubectl's informational lines move to stderr there.
    notices = err if opts.dry_run else out

    terminal = None
    interactive = opts.stdin and not opts.dry_run and not opts.detach
    if interactive and opts.tty and sys.stdin.isatty():
        from kdebug_nb.terminal import RawTerminal

        terminal = RawTerminal()
    binary = getattr(out, "buffer", None)

    def observe(event: RunEvent) -> None:
        if isinstance(event, RunOutput):
            if binary is not None:
                # the container's bytes as they are: `kdebug ... > file` is a copy
                if event.data:
                    out.flush()
                    binary.write(event.data)
                    binary.flush()
            else:
                out.write(event.text)
                out.flush()
        elif isinstance(event, RunNotice):
            stream = notices if event.level == "notice" else err
            text = event.text.rstrip("\n") + "\n"
            stream.write(terminal.line(text) if terminal is not None else text)
            stream.flush()

    stdin_data = None
    if interactive and terminal is None:
        # not a terminal (or no -t): stdin is read to its end, then sent and closed
        if sys.stdin.isatty() and not opts.quiet:
            err.write("reading stdin until end of input (Ctrl-D)...\n")
            err.flush()
        stdin_data = sys.stdin.read()
    with terminal if terminal is not None else contextlib.nullcontext():
        results = session.run_all(
            opts, stdin_data=stdin_data, source="cli", line=shlex.join(argv), observer=observe,
            terminal=terminal,
        )
    if opts.dry_run:
        bodies = [r.sent for r in results]
        doc = bodies[0] if len(bodies) == 1 else {"apiVersion": "v1", "kind": "List", "items": bodies}
        if opts.output == "json":
            out.write(json.dumps(doc, indent=2) + "\n")
        else:
            import yaml

            out.write(yaml.safe_dump(doc, sort_keys=False))
        return 0
    code = 0
    for r in results:
        if r.interrupted:
            if r.deleted:
                err.write(f"interrupted; {', '.join(r.deleted)} deleted (--rm)\n")
            else:
                err.write(f"interrupted; {r.logs_command} reads what it prints\n")
            return 130
        if r.reason == "RunTimeout":
            err.write(f"error: {r.status_line()}\n")
            return 1
        if r.exit_code is not None:
            code = r.exit_code
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
