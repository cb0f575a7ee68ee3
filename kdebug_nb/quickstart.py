"""Run the 5-minute tour in a terminal: ``python -m kdebug_nb.quickstart``.

Executes ``notebooks/quickstart.ipynb`` with nbclient in a real Jupyter
kernel (the notebook starts its own sandbox cluster with ``%ksandbox start``)
and prints each cell's source and its text outputs. Without nbclient (or
with ``--in-process``) the cells run in an IPython shell of this process.
Exit status 0 on success; on failure one line saying what went wrong.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

NOTEBOOK = "quickstart.ipynb"


def find_notebook(name: str = NOTEBOOK) -> Path:
    """The notebook next to the package (a source checkout) or shipped inside it."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "notebooks" / name, here / "notebooks" / name):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"{name} not found (looked in {here.parent / 'notebooks'} and {here / 'notebooks'})"
    )


def _text_of(output: Any) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return str(output.get("text", ""))
    if kind in ("execute_result", "display_data"):
        data = output.get("data", {})
        text = str(data.get("text/markdown") or data.get("text/plain") or "")
        return text + ("\n" if text and not text.endswith("\n") else "")
    if kind == "error":
        return f"{output.get('ename')}: {output.get('evalue')}\n"
    return ""


def print_cell(cell: Any, out: Any = sys.stdout) -> None:
    rule = "─" * 72
    if cell.get("cell_type") == "markdown":
        out.write(f"\n{cell.get('source', '')}\n")
        return
    if cell.get("cell_type") != "code":
        return
    count = cell.get("execution_count") or " "
    out.write(f"\n{rule}\nIn [{count}]:\n{cell.get('source', '')}\n{rule}\n")
    for output in cell.get("outputs", []):
        out.write(_text_of(output))
    out.flush()


def run(notebook: Path, *, kernel_name: str = "", timeout: int = 120, quiet: bool = False) -> int:
    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
    except ImportError as exc:
        print(
            f"note: {exc.name} is not installed, so the notebook runs in this process "
            "instead of a Jupyter kernel (pip install nbclient for the real thing)",
            file=sys.stderr,
        )
        return run_in_process(notebook, quiet=quiet)

    nb = nbformat.read(notebook, as_version=4)
    # a scratch directory: history and exports the tour writes stay out of the checkout
    with tempfile.TemporaryDirectory(prefix="kdebug-quickstart-") as workdir:
        client = NotebookClient(
            nb,
            timeout=timeout,
            # "python3" is this interpreter's own kernel (ipykernel's native spec)
            kernel_name=kernel_name or "python3",
            resources={"metadata": {"path": workdir}},
        )
        printed = 0

        def on_complete(cell: Any, cell_index: int, **_: Any) -> None:
            nonlocal printed
            if not quiet:
                for i in range(printed, cell_index + 1):
                    print_cell(nb.cells[i])
            printed = cell_index + 1

        client.on_cell_executed = on_complete
        try:
            # the kernel's own stderr (transport warnings) is not part of the tour
            client.execute(stderr=subprocess.DEVNULL)
        except CellExecutionError as exc:
            lines = [ln for ln in str(exc).splitlines() if ln.strip()]
            print(f"error: the quickstart failed: {lines[-1] if lines else exc}", file=sys.stderr)
            return 1
        except Exception as exc:  # kernel could not start, timeout, ...
            print(f"error: the quickstart could not run: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        if not quiet:
            for i in range(printed, len(nb.cells)):
                print_cell(nb.cells[i])
    print("\nquickstart finished: every cell ran.")
    return 0


def run_in_process(notebook: Path, *, quiet: bool = False) -> int:
    """Run the notebook's cells in an IPython shell of this process (no kernel needed).

    Output goes straight to the terminal as each cell runs; what a kernel
    would display is printed as text.
    """
    try:
        from IPython.core.interactiveshell import InteractiveShell
        from IPython.utils.capture import capture_output
    except ImportError:
        print("error: IPython is missing; install with: pip install -e '.[notebook]'", file=sys.stderr)
        return 1
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    shell = InteractiveShell.instance()
    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="kdebug-quickstart-") as workdir:
        os.chdir(workdir)  # history and exports stay out of the checkout
        try:
            for cell in cells:
                source = "".join(cell.get("source", ""))
                if cell.get("cell_type") != "code":
                    if not quiet:
                        print_cell(cell)
                    continue
                if not quiet:
                    print_cell({**cell, "source": source, "outputs": [],
                                "execution_count": shell.execution_count})
                with capture_output(display=False) if quiet else contextlib.nullcontext():
                    result = shell.run_cell(source, store_history=True)
                if not result.success:
                    err = result.error_in_exec or result.error_before_exec
                    print(f"error: the quickstart failed: {type(err).__name__}: {err}", file=sys.stderr)
                    return 1
        finally:
            if "kdebug_nb" in getattr(shell.extension_manager, "loaded", ()):
                shell.run_line_magic("unload_ext", "kdebug_nb")  # stops the sandbox
            os.chdir(here)
    print("\nquickstart finished: every cell ran.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kdebug_nb.quickstart", description=__doc__.splitlines()[0]
    )
    parser.add_argument("notebook", nargs="?", help="another notebook to run the same way")
    parser.add_argument("--kernel", default="", help="Jupyter kernel name (default: python3)")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per cell")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the final line")
    parser.add_argument(
        "--in-process", action="store_true", help="run the cells in this process, without a kernel"
    )
    args = parser.parse_args(argv)
    try:
        notebook = Path(args.notebook) if args.notebook else find_notebook()
        if not notebook.is_file():
            raise FileNotFoundError(f"{notebook} not found")
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.in_process:
        return run_in_process(notebook, quiet=args.quiet)
    return run(notebook, kernel_name=args.kernel, timeout=args.timeout, quiet=args.quiet)


if __name__ == "__main__":
    sys.exit(main())
