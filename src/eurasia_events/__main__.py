"""``python -m eurasia_events``: the ``eurasia-events`` command line."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
