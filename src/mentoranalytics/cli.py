"""Command line: ``python -m mentoranalytics {report,validate,schema,template,simulate}``.

Exit codes: 0 success, 1 data that cannot be analysed, 2 usage errors.  A
:class:`~mentoranalytics.MentorAnalyticsError` becomes one clear line on stderr; any
other exception keeps its traceback, because it is a bug.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._version import __version__
from .exceptions import MentorAnalyticsError

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2

_EPILOG = """\
examples:
  python -m mentoranalytics report                      # the packaged sample programme
  python -m mentoranalytics report cohort.xlsx -o review.html
  python -m mentoranalytics validate cohort.csv         # list every problem with row numbers
  python -m mentoranalytics schema --format markdown    # the codebook
  python -m mentoranalytics template my_cohort.xlsx     # an empty template with drop-downs
  python -m mentoranalytics simulate -n 200 -o fake.csv --seed 1
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentoranalytics",
        description="Analyse anonymised mentoring-programme cohorts honestly.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"mentoranalytics {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    rep = sub.add_parser("report", help="write the course-review report")
    rep.add_argument("files", nargs="*", help="cohort files (default: the packaged sample)")

    val = sub.add_parser("validate", help="list every problem in cohort files")
    val.add_argument("files", nargs="+", help="cohort files (CSV, TSV, Excel, Parquet, JSON)")
    val.add_argument("--mapping", help="YAML file mapping your headers and values")

    sch = sub.add_parser("schema", help="print the codebook of the canonical schema")
    sch.add_argument("--format", choices=("text", "markdown", "csv"), default="text")

    tpl = sub.add_parser("template", help="write an empty cohort template (.xlsx or .csv)")
    tpl.add_argument("path", help="FILE.xlsx or FILE.csv")

    sim = sub.add_parser("simulate", help="write a simulated cohort")
    sim.add_argument("-n", type=int, default=200, help="number of participants")
    sim.add_argument("-o", "--output", required=True, help="output file (.csv, .xlsx, .parquet)")
    sim.add_argument("--seed", type=int, default=0)
    return parser


def _cmd_report(args: argparse.Namespace) -> int:
    print(
        "mentoranalytics: the 'report' command is not available yet in this version; "
        "use 'validate' or the Python API (see README.md).",
        file=sys.stderr,
    )
    return EXIT_DATA


def _cmd_validate(args: argparse.Namespace) -> int:
    from .io import load_cohort

    cohort = load_cohort(args.files if len(args.files) > 1 else args.files[0],
                         mapping=args.mapping, errors="exclude")
    problems = cohort.problems
    for rec in problems.itertuples(index=False):
        where = f"{rec.file}:" if getattr(rec, "file", None) else ""
        row = "" if rec.row is None or rec.row != rec.row else f"row {int(rec.row)}, "
        print(f"{where}{row}column {rec.column!s}: {rec.message}")
    n_ex = len(cohort.excluded)
    print(f"{len(cohort)} rows valid, {n_ex} rows would be excluded, {len(problems)} problems.",
          file=sys.stderr)
    return EXIT_DATA if len(problems) else EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    from .schema import render_codebook

    sys.stdout.write(render_codebook(args.format))
    return EXIT_OK


def _cmd_template(args: argparse.Namespace) -> int:
    from .io import write_template

    path = write_template(args.path)
    print(f"template written to {path}", file=sys.stderr)
    return EXIT_OK


def _cmd_simulate(args: argparse.Namespace) -> int:
    from .datasets import simulate_cohort
    from .io import write_table

    frame = simulate_cohort(args.n, seed=args.seed)
    path = write_table(frame, args.output)
    print(f"{len(frame)} simulated participants written to {path}", file=sys.stderr)
    return EXIT_OK


_COMMANDS = {
    "report": _cmd_report,
    "validate": _cmd_validate,
    "schema": _cmd_schema,
    "template": _cmd_template,
    "simulate": _cmd_simulate,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return _COMMANDS[args.command](args)
    except MentorAnalyticsError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"mentoranalytics: error: {first}", file=sys.stderr)
        rest = str(exc).splitlines()[1:]
        for line in rest[:25]:
            print(f"  {line}", file=sys.stderr)
        return EXIT_DATA
    except FileNotFoundError as exc:
        print(f"mentoranalytics: error: file not found: {exc.filename}", file=sys.stderr)
        return EXIT_USAGE
