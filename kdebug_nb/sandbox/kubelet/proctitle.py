"""Set the command line ``ps`` shows for this process (stdlib only).

Imported by ``ctrinit.py`` and ``podinit.py`` and inlined into the image programs'
wrappers (``runtime.Runtime.bindir``): without it, ``ps`` in a container
would show ``/path/to/python -I -S /path/to/script ...`` where a real
container shows ``/pause`` or ``neato``. Like setproctitle(3): the
process's own argument area is rewritten through ``/proc/self/mem`` (the
kernel reports that area as the command line) and ``/proc/self/comm`` is set
to match. Best effort: any failure leaves the title as it was.
"""

from __future__ import annotations


def set_title(words: list[str]) -> None:
    try:
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # arg_start and arg_end are fields 48 and 49 of stat(5); fields[0] is field 3
        start, end = int(fields[45]), int(fields[46])
        title = "\0".join(words).encode()[: max(end - start - 1, 0)]
        with open("/proc/self/mem", "r+b", buffering=0) as mem:
            mem.seek(start)
            mem.write(title + b"\0" * (end - start - len(title)))
        with open("/proc/self/comm", "w") as f:
            f.write(words[0].rsplit("/", 1)[-1][:15])
    except (OSError, ValueError, IndexError):
        pass
