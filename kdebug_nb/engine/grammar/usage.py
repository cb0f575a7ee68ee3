"""The help text of the grammar, built from the flag table; each adapter names its command.

``usage("%kdebug")`` is the magic's, ``usage("kdebug")`` the console script's.
"""

from __future__ import annotations

from kdebug_nb.engine.grammar.flags import FLAGS

_EXAMPLES = """\
Examples:
  # Run a command in a new ephemeral container of pod mypod and show its output
  {prog} mypod --image=busybox -- ps x

  # Share the process namespace of container app (ephemeral containers only)
  {prog} mypod --image=busybox --target=app -- ps x

  # Debug a copy of mypod with a debug container added, deleting the copy afterwards
  {prog} mypod --copy-to=mypod-debug --image=busybox --rm -- ps x

  # Follow a long command for 30 s at most; --rm deletes the copy even then
  {prog} mypod --copy-to=mypod-debug --image=busybox --rm --run-timeout=30s -- top -b

  # Debug a copy of mypod with its app container's command changed
  {prog} mypod --copy-to=mypod-debug -c app -- sh -c 'env; sleep 1d'

  # Debug a copy of mypod with every container's image changed
  {prog} mypod --copy-to=mypod-debug --set-image=*=busybox

  # Run a command on a node, with the node's filesystem at /host
  {prog} node/node-1 --image=busybox -- ls /host/etc

  # Run an audit in every running pod labelled app=web, in every namespace, 20 at a time
  {prog} -l app=web -A --field-selector=status.phase=Running --max-concurrency=20 \\
      --image=busybox -- sh -c 'id; ls /'

  # The same on every node labelled role=worker, deleting each node's debugging pod after
  {prog} nodes -l role=worker --image=busybox --rm -- cat /host/etc/os-release

  # Show the patch that would be sent, without sending it
  {prog} mypod --image=busybox --dry-run -o json -- ps x
"""


def usage(prog: str) -> str:
    """The help text with ``prog`` as the command's name in the synopsis and examples."""
    titles = {"kubectl": "Options:", "global": "kubectl globals:",
              "kdebug": "kdebug_nb options:", "fleet": "Fleet runs (several targets, -l, -A or --field-selector):"}
    lines = [
        f"Usage: {prog} (POD | TYPE/NAME)... [flags] [-- COMMAND [ARG...]]",
        "",
        "Debug a pod with an ephemeral container, a copy of a pod, or a node with a",
        "debugging pod, exactly as kubectl debug (KEP-1441) does.",
        "Words before -- are targets (a pod name, pod/NAME or node/NAME); words",
        "after -- are the command. Flags may come before or after the targets.",
        "Several targets, a selector or -A make a fleet run: the command runs in",
        "every pod selected, --max-concurrency at a time, one result row per pod.",
        "",
        _EXAMPLES.replace("{prog}", prog),
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


#: the help with kubectl's own name for the command, for readers of the engine alone
USAGE: str = usage("kubectl debug")
