"""``python -m mentoranalytics``: see :mod:`mentoranalytics.cli`."""

from .cli import main

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
