"""Command line: ``python -m mentoranalytics {report,validate,schema,template,simulate}``.

Exit codes: 0 success, 1 data that cannot be analysed, 2 usage errors.  A
:class:`~mentoranalytics.MentorAnalyticsError` becomes one clear line on stderr; any
other exception keeps its traceback, because it is a bug.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._version import __version__
from .exceptions import MentorAnalyticsError, PersonalDataError

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


def _add_column_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--drop-columns",
        metavar="A,B",
        help="comma-separated headers to leave out before anything is read (e.g. a names column)",
    )
    parser.add_argument(
        "--allow-columns",
        metavar="A,B",
        help="comma-separated headers the personal-data check should accept as not personal",
    )


def _load_options(args: argparse.Namespace) -> dict[str, Any]:
    """load_cohort keyword arguments from --mapping, --drop-columns and --allow-columns."""
    return {
        "mapping": args.mapping,
        "drop_columns": list(_split(args.drop_columns) or ()) or None,
        "allow_columns": list(_split(args.allow_columns) or ()) or None,
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentoranalytics",
        description="Analyse anonymised mentoring-programme cohorts honestly.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"mentoranalytics {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    rep = sub.add_parser(
        "report",
        help="write the course-review report",
        description="Write the course-review report (HTML by default) on your cohort files, "
        "or on the packaged sample when no file is given.",
        epilog="examples:\n"
        "  python -m mentoranalytics report\n"
        "  python -m mentoranalytics report --sample first_cohort -o first.html\n"
        "  python -m mentoranalytics report cohort.xlsx --mapping mapping.yaml --bundle review/\n"
        "  python -m mentoranalytics report a.csv b.csv --outcomes promoted,role_change "
        "--privacy ons\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rep.add_argument("files", nargs="*", help="cohort files or a folder (default: the sample)")
    rep.add_argument("-o", "--output", help="report file (default: mentoranalytics-report.html)")
    rep.add_argument("--format", choices=("html", "markdown"), default="html")
    rep.add_argument(
        "--bundle", metavar="DIR", help="also write HTML, Excel, JSON, CSV and figures"
    )
    rep.add_argument(
        "--sample",
        choices=("programme", "first_cohort"),
        help="use a packaged sample (default when no FILES: programme)",
    )
    rep.add_argument("--title", help="report title")
    rep.add_argument("--by", default="gender", help="grouping column (default: gender)")
    rep.add_argument("--outcomes", help="comma-separated outcome columns (default: all present)")
    rep.add_argument("--cohorts", help="comma-separated cohorts to include (default: all)")
    rep.add_argument(
        "--privacy",
        default="standard",
        choices=("standard", "ons", "nhs", "internal"),
        help="disclosure policy (default: standard; internal = no suppression)",
    )
    rep.add_argument("--mapping", help="YAML file mapping your headers and values")
    _add_column_options(rep)
    rep.add_argument("--seed", type=int, default=0, help="seed of every simulation (default 0)")
    rep.add_argument("--timestamp", action="store_true", help="print the date in the report")
    rep.add_argument("--quiet", action="store_true", help="no progress lines")

    val = sub.add_parser("validate", help="list every problem in cohort files")
    val.add_argument("files", nargs="+", help="cohort files (CSV, TSV, Excel, Parquet, JSON)")
    val.add_argument("--mapping", help="YAML file mapping your headers and values")
    _add_column_options(val)

    sch = sub.add_parser("schema", help="print the codebook of the canonical schema")
    sch.add_argument("--format", choices=("text", "markdown", "csv"), default="text")

    tpl = sub.add_parser("template", help="write an empty cohort template (.xlsx or .csv)")
    tpl.add_argument("path", help="FILE.xlsx or FILE.csv")

    sim = sub.add_parser("simulate", help="write a simulated cohort")
    sim.add_argument("-n", type=int, default=200, help="number of participants")
    sim.add_argument("-o", "--output", required=True, help="output file (.csv, .xlsx, .parquet)")
    sim.add_argument("--seed", type=int, default=0)
    return parser


class _Progress:
    """One line per step on stderr, with its duration."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self._step: str | None = None
        self._t0 = time.perf_counter()

    def __call__(self, step: str) -> None:
        self.done()
        self._step, self._t0 = step, time.perf_counter()

    def done(self) -> None:
        if self._step is not None and not self.quiet:
            print(f"{self._step} ({time.perf_counter() - self._t0:.2f} s)", file=sys.stderr)
        self._step = None

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=sys.stderr)


def _split(text: str | None) -> tuple[str, ...] | None:
    if not text:
        return None
    return tuple(t.strip() for t in text.split(",") if t.strip())


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import ReportOptions, build_report, write_bundle, write_report

    progress = _Progress(args.quiet)
    if args.files and args.sample:
        raise _UsageError("give either FILES or --sample, not both.")
    progress("loading and validating")
    if args.files:
        import warnings

        from .exceptions import DataQualityWarning
        from .io import load_cohort

        source: object = args.files if len(args.files) > 1 else args.files[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataQualityWarning)  # summarised below instead
            cohort = load_cohort(source, errors="exclude", **_load_options(args))
        label = ", ".join(str(f) for f in args.files)
    else:
        from .datasets import load_sample

        name = args.sample or "programme"
        progress.say(f"no files given: using the packaged sample '{name}' (synthetic data)")
        cohort = load_sample(name)
        label = f"packaged sample '{name}' (synthetic)"
    progress.done()
    n_excluded = len(cohort.excluded)
    progress.say(
        f"{len(cohort) + n_excluded} rows read: {len(cohort)} analysed, {n_excluded} excluded"
        + (" (listed in the report's data-quality appendix)" if n_excluded else "")
    )
    options = ReportOptions(
        title=args.title or ReportOptions.title,
        by=args.by,
        outcomes=_split(args.outcomes),
        cohorts=_split(args.cohorts),
        privacy=args.privacy,
        seed=args.seed,
        timestamp=args.timestamp,
        source_label=label,
    )
    report = build_report(cohort, options, progress=progress)
    progress("writing")
    suffix = ".md" if args.format == "markdown" else ".html"
    out = Path(args.output or f"mentoranalytics-report{suffix}")
    write_report(report, out, format=args.format)
    if args.bundle:
        write_bundle(report, args.bundle)
    progress.done()
    progress.say(f"report written to {out.resolve()}")
    if args.bundle:
        progress.say(f"bundle written to {Path(args.bundle).resolve()}")
    return EXIT_OK


class _UsageError(Exception):
    """A usage mistake detected after argument parsing (exit code 2)."""


def _cmd_validate(args: argparse.Namespace) -> int:
    import warnings

    import pandas as pd

    from .exceptions import DataQualityWarning
    from .io import load_cohort

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # summarised below instead
        cohort = load_cohort(
            args.files if len(args.files) > 1 else args.files[0],
            **_load_options(args),
            errors="exclude",
        )
    problems = cohort.problems
    for rec in problems.to_dict("records"):
        where = f"{rec['file']}: " if rec.get("file") else ""
        row = "" if pd.isna(rec.get("row")) else f"row {rec['row']}, "
        column = "" if pd.isna(rec.get("column")) else f"column {rec['column']}: "
        print(f"{where}{row}{column}{rec['message']}")
    notes = getattr(cohort, "notes", None)
    if notes is not None and len(notes):
        for rec in pd.DataFrame(notes).to_dict("records"):
            print(f"note: {rec.get('message', rec)}", file=sys.stderr)
    n_ex = len(cohort.excluded)
    print(
        f"{len(cohort)} rows valid, {n_ex} rows would be excluded, {len(problems)} problems.",
        file=sys.stderr,
    )
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

    frame = simulate_cohort(args.n, rng=args.seed)
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
        if isinstance(exc, PersonalDataError):
            print(
                "  On the command line: --drop-columns NAME[,NAME] or --allow-columns NAME[,NAME].",
                file=sys.stderr,
            )
        return EXIT_DATA
    except _UsageError as exc:
        print(f"mentoranalytics: usage error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FileNotFoundError as exc:
        print(f"mentoranalytics: error: file not found: {exc.filename}", file=sys.stderr)
        return EXIT_USAGE
