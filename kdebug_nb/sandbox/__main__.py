"""``python -m kdebug_nb.sandbox serve``: the same as the ``kdebug-sandbox`` script."""

from __future__ import annotations

import sys

from kdebug_nb.sandbox.cli import main

sys.exit(main())
