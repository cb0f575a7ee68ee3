"""How much ``%load_ext kdebug_nb`` adds to a warm IPython shell.

Each sample is a fresh interpreter (so nothing is cached in ``sys.modules``)
that first builds an ``InteractiveShell`` (the warm kernel's state), then
times one ``%load_ext``; a discarded warm-up run writes the bytecode first. Baselines: a trivial extension (the fixed cost of
``%load_ext`` itself) and IPython's own ``autoreload`` extension. Prints
medians in ms and the ratios; also checks that loading did not import the
kubernetes client or pandas. Budget: under 50 ms.

    .venv/bin/python benchmarks/load_ext.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PROBE = r"""
import json, sys, time
sys.path.insert(0, {tmp!r})
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
t0 = time.perf_counter()
shell.run_line_magic("load_ext", {ext!r})
ms = (time.perf_counter() - t0) * 1000
heavy = sorted(m for m in ("kubernetes", "pandas", "aiohttp", "yaml") if m in sys.modules)
print(json.dumps({{"ms": ms, "heavy": heavy}}))
"""


def sample(ext: str, tmp: str) -> dict[str, object]:
    # Bytecode may be written: a machine that has imported the package once has
    # its .pyc files, and compiling sources on every import is not what a user pays.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(tmp=tmp, ext=ext)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def median_ms(ext: str, tmp: str, runs: int) -> tuple[float, list[str]]:
    sample(ext, tmp)  # warm-up: writes bytecode, fills the OS file cache
    samples = [sample(ext, tmp) for _ in range(runs)]
    return statistics.median(float(s["ms"]) for s in samples), list(samples[-1]["heavy"])  # type: ignore[arg-type]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "kdebug_trivial_ext.py").write_text(
            "def load_ipython_extension(ip):\n    pass\n", encoding="utf-8"
        )
        trivial, _ = median_ms("kdebug_trivial_ext", tmp, args.runs)
        autoreload, _ = median_ms("autoreload", tmp, args.runs)
        ours, heavy = median_ms("kdebug_nb", tmp, args.runs)
    print(f"%load_ext trivial extension : {trivial:7.2f} ms")
    print(f"%load_ext autoreload        : {autoreload:7.2f} ms")
    print(f"%load_ext kdebug_nb         : {ours:7.2f} ms")
    print(f"added over trivial          : {ours - trivial:7.2f} ms (budget 50 ms)")
    print(f"ratio kdebug_nb / autoreload: {ours / autoreload:7.2f}x")
    print(f"heavy modules imported      : {', '.join(heavy) or 'none'}")
    return 0 if ours - trivial < 50 and not (set(heavy) & {"kubernetes", "pandas"}) else 1


if __name__ == "__main__":
    sys.exit(main())
