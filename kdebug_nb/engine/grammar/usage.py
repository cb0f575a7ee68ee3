"""The help text of ``%kdebug?`` and ``kdebug --help``, built from the flag table."""

from __future__ import annotations

from kdebug_nb.engine.grammar.flags import FLAGS

_EXAMPLES = """\
Examples:
  # Run a command in a new ephemeral container of pod mypod and show its output
  %kdebug mypod --image=busybox -- ps x

  # Share the process namespace of container app (ephemeral containers only)
  %kdebug mypod --image=busybox --target=app -- ps x

  # Debug a copy of mypod with a debug container added, deleting the copy afterwards
  %kdebug mypod --copy-to=mypod-debug --image=busybox --rm -- ps x

  # Debug a copy of mypod with its app container's command changed
  %kdebug mypod --copy-to=mypod-debug -c app -- sh -c 'env; sleep 1d'

  # Debug a copy of mypod with every container's image changed
  %kdebug mypod --copy-to=mypod-debug --set-image=*=busybox

  # Run a command on a node, with the node's filesystem at /host
  %kdebug node/node-1 --image=busybox -- ls /host/etc

  # Show the patch that would be sent, without sending it
  %kdebug mypod --image=busybox --dry-run -o json -- ps x
"""


def _usage() -> str:
    titles = {"kubectl": "Options:", "global": "kubectl globals:",
              "kdebug": "kdebug_nb options:", "fleet": "Fleet runs (not supported yet):"}
    lines = [
        "Usage: %kdebug (POD | TYPE/NAME)... [flags] [-- COMMAND [ARG...]]",
        "",
        "Debug a pod with an ephemeral container, a copy of a pod, or a node with a",
        "debugging pod, exactly as kubectl debug (KEP-1441) does, from a notebook.",
        "Words before -- are targets (a pod name, pod/NAME or node/NAME); words",
        "after -- are the command. Flags may come before or after the targets.",
        "",
        _EXAMPLES,
    ]
    for group, title in titles.items():
        lines.append(title)
        for flag in (f for f in FLAGS if f.group == group):
            names = f"-{flag.short}, --{flag.name}" if flag.short else f"    --{flag.name}"
            if flag.takes_value or flag.metavar:
                names += "=" + (flag.metavar or "VALUE")
            text = flag.help
            if flag.choices:
                text += " One of: " + ", ".join(flag.choices) + "."
            if flag.default and flag.default not in ("false",):
                text += f" Default: {flag.default}."
            lines.append(f"  {names:<32} {text}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


USAGE: str = _usage()
