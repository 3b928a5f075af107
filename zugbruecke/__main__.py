"""``python -m zugbruecke``: the zugbruecke command (see zugbruecke._cli)."""

from ._cli import main

raise SystemExit(main())
