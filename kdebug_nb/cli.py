"""The ``kdebug`` console script: ``kubectl debug`` grammar, engine behaviour.

Streams the debug container's output to stdout while it runs, prints
kubectl's informational lines (unless ``-q``) and exits with the
container's exit code. Errors are one line on stderr (``error: ...``, exit
1); ``--verbose`` adds the traceback. Fleet runs (``-l``, ``-A``,
``--field-selector``, several names) print each pod's output prefixed by
its name: ``kdebug_nb.cli_fleet``.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Sequence
from typing import TextIO


def _before_dashdash(argv: Sequence[str]) -> list[str]:
    words = list(argv)
    return words[: words.index("--")] if "--" in words else words


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    head = _before_dashdash(args)
    verbose = "--verbose" in head or "--verbose=true" in head
    if "--help" in head or "-h" in head:
        from kdebug_nb.engine.grammar import USAGE

        # one grammar, one help text; here the command is a program, not a magic
        sys.stdout.write(USAGE.replace("%kdebug", "kdebug").rstrip("\n") + "\n")
        return 0
    try:
        return _run(args, sys.stdout, sys.stderr)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        # `kdebug ... | head`: the reader left; not an error worth a traceback
        sys.stderr.close()
        return 141
    except Exception as exc:
        from kdebug_nb.errors import Interrupted, KDebugError

        if verbose:
            traceback.print_exc(file=sys.stderr)
        if isinstance(exc, KDebugError):
            sys.stderr.write(f"error: {exc.one_line()}\n")
            return 130 if isinstance(exc, Interrupted) else 1
        if not verbose:
            sys.stderr.write(f"error: {type(exc).__name__}: {exc} (rerun with --verbose)\n")
        return 1


def _run(argv: list[str], out: TextIO, err: TextIO) -> int:
    from kdebug_nb.engine.grammar import parse_args
    from kdebug_nb.engine.runner import Progress, run_many

    opts = parse_args(argv)
    from kdebug_nb.engine.fleet import is_fleet

    if is_fleet(opts) and not opts.help:
        from kdebug_nb.cli_fleet import run_fleet

        return run_fleet(opts, out, err)

    def on_output(chunk: str) -> None:
        out.write(chunk)
        out.flush()

    # A dry run's stdout is the object alone, so it can be piped to jq or
    # kubectl; kubectl's informational lines move to stderr there.
    notices = err if opts.dry_run else out

    def on_progress(p: Progress) -> None:
        if p.state == "notice":
            notices.write(p.message + "\n")
            notices.flush()
        elif p.state == "warning":
            err.write(p.message.rstrip("\n") + "\n")
            err.flush()

    stdin_data = None
    if opts.stdin and not opts.dry_run and not opts.detach:
        # no interactive sessions here: stdin is read to its end, then sent and closed
        if sys.stdin.isatty() and not opts.quiet:
            err.write("reading stdin until end of input (Ctrl-D)...\n")
            err.flush()
        stdin_data = sys.stdin.read()
    results = run_many(opts, on_output=on_output, on_progress=on_progress, stdin_data=stdin_data)
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
            err.write(f"interrupted; {r.logs_command} reads what it prints\n")
            return 130
        if r.exit_code is not None:
            code = r.exit_code
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
