"""``python -m mentoranalytics``: see :mod:`mentoranalytics.cli`."""

import sys

from .cli import main


def _exit(code: int) -> None:  # pragma: no cover - ends the process
    """Leave without tearing the interpreter down.

    When a command has returned, everything it wrote is closed.  Python's own shutdown
    would then spend about a quarter of a second freeing the modules and objects of the
    analysis, which nobody uses again; so the exit handlers run, the standard streams
    are flushed, and the process ends.  (An exception takes Python's usual way out.)
    """
    import atexit
    import os

    run = getattr(atexit, "_run_exitfuncs", None)
    if run is None:  # not CPython: the usual exit
        raise SystemExit(code)
    run()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing left to say
            pass
    os._exit(code)


def run() -> None:  # pragma: no cover - ends the process
    """The command line's entry point: ``python -m mentoranalytics`` and the
    ``mentoranalytics`` script."""
    import gc

    # an analysis allocates millions of short-lived objects and few reference cycles:
    # look for cycles every 20,000 allocations rather than every 700 (Python's default;
    # a tenth of a second on the sample report)
    gc.set_threshold(20_000, 50, 50)
    _exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
