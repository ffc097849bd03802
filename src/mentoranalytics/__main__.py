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


if __name__ == "__main__":  # pragma: no cover
    _exit(main())
