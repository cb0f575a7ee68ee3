"""The ``kdebug-sandbox`` console script (also ``python -m kdebug_nb.sandbox``).

``kdebug-sandbox serve`` runs a sandbox cluster in the foreground until
SIGINT/SIGTERM/SIGHUP, then stops every process its kubelet started and exits 0.
It serves https and requires the token in the kubeconfig it writes;
``--insecure-http`` (plain http, anonymous callers as admin) says on stderr
what that exposes.
``kdebug-sandbox scenarios`` lists the built-in scenarios.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import warnings
from collections.abc import Sequence
from types import FrameType

from kdebug_nb.sandbox.kubeconfig import CONTEXT
from kdebug_nb.sandbox.kubelet.runtime import describe_mode


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kdebug-sandbox",
        description="A local Kubernetes-API-compatible cluster whose containers run as local processes.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser("serve", help="serve a sandbox cluster until interrupted")
    serve.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    serve.add_argument(
        "--scenario", default="default", help="built-in scenario name or path to a YAML file"
    )
    serve.add_argument("--kubeconfig", help="where to write the kubeconfig (default: a temp file)")
    serve.add_argument(
        "--token",
        help="the admin's bearer token written into the kubeconfig (default: a random one)",
    )
    # Older command lines said --tls to get https; it is what serve always does now.
    serve.add_argument("--tls", action="store_true", help=argparse.SUPPRESS)
    serve.add_argument(
        "--insecure-http",
        action="store_true",
        help="serve plain http with no authentication: anyone who can reach the port "
        "runs commands as you (avoid; for clients that cannot do TLS)",
    )
    serve.add_argument(
        "--timing",
        metavar="KNOB=DURATION,...",
        help="simulated waits over the scenario's, e.g. imagePull=300ms,containerStart=50ms "
        "(knobs: imagePull, containerStart, apiLatency; default: none)",
    )
    serve.add_argument(
        "--max-in-flight",
        type=int,
        metavar="N",
        help="answer 429 with Retry-After past N requests in flight, watches and "
        "streams excepted (default: the scenario's, else no cap)",
    )
    serve.add_argument(
        "--retry-after", type=int, metavar="SECONDS", help="the Retry-After of those 429s (default 1)"
    )
    sub.add_parser("scenarios", help="list the built-in scenarios")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve" and args.tls and args.insecure_http:
        parser.error("--tls and --insecure-http contradict each other; choose one")
    try:
        if args.command == "serve":
            return serve(
                args.scenario,
                port=args.port,
                kubeconfig=args.kubeconfig,
                token=args.token,
                insecure_http=args.insecure_http,
                timing=_timing(args.timing),
                throttle=_throttle(args.max_in_flight, args.retry_after),
            )
        if args.command == "scenarios":
            return list_scenarios()
    except Exception as exc:  # noqa: BLE001 - the CLI's contract: one line on stderr, exit 1
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"kdebug-sandbox: error: {message}", file=sys.stderr)
        return 1
    parser.print_help(sys.stderr)
    return 1


def _timing(flag: str | None) -> dict[str, float]:
    from kdebug_nb.sandbox.store.timing import parse_timing_flag

    return parse_timing_flag(flag) if flag else {}


def _throttle(max_in_flight: int | None, retry_after: int | None) -> dict[str, int]:
    from kdebug_nb.sandbox.apiserver.throttle import parse_throttle

    given = {"maxInFlight": max_in_flight, "retryAfter": retry_after}
    return parse_throttle({k: v for k, v in given.items() if v is not None}, "--max-in-flight")


def list_scenarios() -> int:
    from kdebug_nb.sandbox.scenario import builtin_scenarios

    scenarios = builtin_scenarios()
    width = max(map(len, scenarios), default=0)
    for name, description in scenarios.items():
        print(f"{name:<{width}}  {description}".rstrip())
    return 0


def serve(
    scenario: str,
    *,
    port: int = 0,
    kubeconfig: str | None = None,
    token: str | None = None,
    insecure_http: bool = False,
    timing: dict[str, float] | None = None,
    throttle: dict[str, int] | None = None,
) -> int:
    """Serve until SIGINT/SIGTERM/SIGHUP; every process the sandbox started is stopped first."""
    from kdebug_nb.sandbox.server import InsecureSandboxWarning, Sandbox

    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    # SIGHUP too: closing the terminal must not kill us before the containers are stopped.
    signums = [signal.SIGINT, signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])]
    previous = {s: signal.signal(s, on_signal) for s in signums}
    sb: Sandbox | None = None
    try:
        sb = Sandbox(
            scenario,
            port=port,
            token=token,
            kubeconfig_path=kubeconfig,
            insecure_http=insecure_http,
            timing=timing,
            throttle=throttle,
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", InsecureSandboxWarning)
            sb.start()
        for warning in caught:
            print(f"kdebug-sandbox: warning: {warning.message}", file=sys.stderr, flush=True)
        print(f"kdebug sandbox: scenario {sb.scenario.name!r} serving at {sb.url}")
        print(f"kubeconfig: {sb.kubeconfig} (context {CONTEXT}, namespace default)")
        print(f"  export KUBECONFIG={sb.kubeconfig}")
        print("  kubectl get pods")
        print(f"Containers: {describe_mode()}.")
        waits = {k: v for k, v in sb.timing.as_knobs().items() if v}
        if waits:
            print("timing: " + ", ".join(f"{k}={v * 1000:g}ms" for k, v in waits.items()))
        if sb.throttle.max_in_flight:
            print(f"throttle: 429 past {sb.throttle.max_in_flight} requests in flight "
                  f"(Retry-After {sb.throttle.retry_after}s)")
        print("Containers run as processes on this machine. Ctrl-C stops the sandbox and all of them.")
        sys.stdout.flush()
        # Event.wait with a timeout keeps the main thread responsive to signals on every platform.
        while not done.wait(0.5):
            pass
        print("kdebug sandbox: stopping", flush=True)
    finally:
        if sb is not None:
            sb.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0
