from __future__ import annotations

import subprocess
import sys


def test_runbook_needs_neither_ipython_nor_pandas_nor_the_engine() -> None:
    code = (
        "import sys\n"
        "from kdebug_nb.runbook import HistoryRecord, HistoryStore, to_markdown\n"
        "s = HistoryStore(None)\n"
        "r = s.start(HistoryRecord.begin(line='neato --image=busybox -- true'))\n"
        "s.finish(r.finish(status='ok', output='x'))\n"
        "to_markdown(s.records)\n"
        "print(sorted(m for m in ('IPython', 'pandas', 'kubernetes', 'kdebug_nb.engine')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
