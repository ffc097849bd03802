"""Command line: ``python -m mentoranalytics {report,validate,schema,template,simulate}``.

Exit codes: 0 success, 1 data that cannot be analysed, 2 usage errors (a bad option, a
missing file, an output that would replace an existing file).  A
:class:`~mentoranalytics.MentorAnalyticsError` becomes one clear line on stderr; any
other exception keeps its traceback, because it is a bug.

Every message the loader writes while the command line runs advises the command
line's own means (a ``--mapping`` YAML file, ``--drop-columns``), not Python
arguments (:func:`mentoranalytics.validation.advice_style`).  No command replaces an
existing file unless ``--force`` is given, and none ever replaces an input file.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from ._version import __version__
from .exceptions import MentorAnalyticsError, PersonalDataError, SchemaError

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2

#: How the examples and the "next step" lines call the program.
PROG = "python -m mentoranalytics"

_EPILOG = f"""\
commands:
  report     analyse cohort files (or the packaged sample) and write the course-review report
  validate   list every problem in cohort files, with row numbers and a suggested mapping file
  schema     print the codebook: every column, its allowed values and meaning
  template   write an empty cohort spreadsheet to fill in (.xlsx with drop-downs, or .csv)
  simulate   write a simulated (fake) cohort, e.g. to try the tool

Run "{PROG} COMMAND --help" for the options of a command.

a first session with your own spreadsheet:
  {PROG} validate cohort.xlsx        # lists problems and suggests a mapping
  {PROG} validate cohort.xlsx --mapping mapping.yaml --drop-columns Name
  {PROG} report cohort.xlsx --mapping mapping.yaml --drop-columns Name -o review.html

examples:
  {PROG} report                      # the packaged sample programme
  {PROG} report cohort.xlsx -o review.html
  {PROG} schema --format markdown    # the codebook
  {PROG} template my_cohort.xlsx     # an empty template with drop-downs
  {PROG} simulate -n 200 -o fake.csv --seed 1

exit codes: 0 done, 1 the data cannot be analysed as they are, 2 a usage mistake.
"""

_MAPPING_HELP = """\
the mapping file (YAML) for --mapping:
  columns:                      # your header: the canonical column (see the schema command)
    Sex: gender
    Mentor level: mentor_level
  values:                       # per canonical column, your value: the canonical value
    gender:
      F: woman
      <blank>: not_stated       # <blank> = empty cells (and NA, N/A)
    approach:
      Cold call: cold_approach
  drop_columns: [Name, Email]   # columns to leave out (same as --drop-columns)
"""


def _privacy_help() -> str:
    """The presets in words, from the policies themselves (one source of wording)."""
    from .privacy.policies import POLICIES

    lines = []
    for name, pol in POLICIES.items():
        text = f"{name}: {pol.describe()}"
        if pol.banner:
            text += (
                f"; every page carries the notice '{pol.banner}'. For the course team only:"
                " never share it"
            )
        lines.append(text)
    return "; ".join(lines)


def _add_input_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--followup",
        metavar="FILE",
        help="a follow-up file: one row per participant per survey wave (months since the "
        "programme, answered, level, promoted since the last wave, ...; see 'schema --table "
        "followup'), checked like the cohort file and linked by participant_id",
    )
    parser.add_argument(
        "--mapping",
        metavar="FILE.yaml",
        help="YAML file mapping your headers and values onto the schema (see below); "
        "validate prints a suggested one",
    )
    parser.add_argument(
        "--drop-columns",
        metavar="A,B",
        help="comma-separated headers to leave out before anything is read (e.g. a column "
        "of names or e-mail addresses)",
    )
    parser.add_argument(
        "--allow-columns",
        metavar="A,B",
        help="comma-separated headers the personal-data check should accept as not "
        "personal (use with care)",
    )
    parser.add_argument(
        "--sheet",
        metavar="NAME",
        help="the Excel sheet to read (name, or number from 0); default: the only sheet "
        "with participant_id and gender",
    )
    parser.add_argument(
        "--invalid",
        choices=("exclude", "missing"),
        default="exclude",
        help="what an invalid cell (a typo, an unknown category, a value out of range) "
        "does: 'exclude' leaves the person out of every analysis (default); 'missing' "
        "keeps the person and leaves only that cell empty. Either way the cell is listed "
        "in the data-quality appendix. A blank or invalid participant_id or gender always "
        "leaves the row out",
    )


def _load_options(args: argparse.Namespace) -> dict[str, Any]:
    """load_cohort keyword arguments from the input options."""
    return {
        "mapping": args.mapping,
        "drop_columns": list(_split(args.drop_columns) or ()) or None,
        "allow_columns": list(_split(args.allow_columns) or ()) or None,
        "sheet": args.sheet,  # a name, or a number from 0 when no sheet has that name
        "errors": args.invalid,
        "followup": getattr(args, "followup", None),
    }


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's layout and shows each option's default."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if (
            action.default not in (None, False, argparse.SUPPRESS)
            and "default" not in text
            and action.option_strings
        ):
            text += " (default: %(default)s)"
        return text


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command (its help is the command line's manual)."""
    parser = argparse.ArgumentParser(
        prog="mentoranalytics",
        description="Analyse anonymised mentoring-programme cohorts honestly: bold mentor "
        "choices and career outcomes by gender, with their uncertainty, and with small "
        "numbers protected.",
        epilog=_EPILOG,
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"mentoranalytics {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    rep = sub.add_parser(
        "report",
        help="write the course-review report",
        description="Analyse your cohort files (or the packaged sample when no file is "
        "given) and write the course-review report: HTML by default, Markdown with "
        "--format markdown. Rows with problems are left out and listed in the report's "
        "data-quality appendix; run 'validate' first to see them.",
        epilog=f"examples:\n"
        f"  {PROG} report\n"
        f"  {PROG} report --sample first_cohort -o first.html\n"
        f"  {PROG} report cohort.xlsx --mapping mapping.yaml --bundle review/\n"
        f"  {PROG} report 2019.csv 2020.csv --outcomes promoted,role_change --privacy ons\n\n"
        + _MAPPING_HELP,
        formatter_class=_Formatter,
    )
    rep.add_argument(
        "files",
        nargs="*",
        metavar="FILES",
        help="cohort files (CSV, TSV, Excel .xlsx, Parquet, JSON) or a folder of them; "
        "several files are pooled, one cohort per file unless they have a cohort column "
        "(default: the packaged sample)",
    )
    rep.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="the report file (default: mentoranalytics-report.html, or .md with "
        "--format markdown); never replaces an existing file without --force",
    )
    rep.add_argument(
        "--format",
        choices=("html", "markdown"),
        default="html",
        help="html: one self-contained file; markdown: a .md file with a folder of figures "
        "beside it",
    )
    rep.add_argument(
        "--bundle",
        metavar="DIR",
        help="also write a folder with the report (HTML and Markdown), every table as "
        "Excel and CSV, the published numbers as JSON and every figure as PNG and SVG",
    )
    rep.add_argument(
        "--sample",
        choices=("programme", "first_cohort"),
        help="report on a packaged synthetic sample instead of FILES: 'programme' (several "
        "cohorts) or 'first_cohort' (one small cohort)",
    )
    rep.add_argument(
        "--title",
        metavar="TEXT",
        help="the report's title (default: a course-review title); the subtitle names the "
        "input by file name only, never its folder",
    )
    rep.add_argument(
        "--by",
        default="gender",
        metavar="COLUMN",
        help="the column every breakdown compares",
    )
    rep.add_argument(
        "--outcomes",
        metavar="A,B",
        help="comma-separated outcome columns, e.g. promoted,role_change (default: every "
        "yes/no outcome present)",
    )
    rep.add_argument(
        "--cohorts",
        metavar="A,B",
        help="comma-separated cohorts (intakes) to include, e.g. 2019,2020 (default: all)",
    )
    rep.add_argument(
        "--privacy",
        default="standard",
        choices=("standard", "ons", "nhs", "internal"),
        help="disclosure control of every published number. " + _privacy_help(),
    )
    _add_input_options(rep)
    rep.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of every simulation: the same data and seed give the same report",
    )
    rep.add_argument("--timestamp", action="store_true", help="print today's date in the report")
    rep.add_argument(
        "--force",
        action="store_true",
        help="replace existing report files (an input file is never replaced)",
    )
    rep.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")

    val = sub.add_parser(
        "validate",
        help="list every problem in cohort files, with a suggested mapping",
        description="Read cohort files as the report would and list every problem with "
        "its rows (identical problems once, with all their rows). Near-certain "
        "misspellings of headers and values are collected into a suggested mapping file; "
        "values that match nothing are listed for you to map, never guessed. Exit code 0 "
        "when the files are clean, 1 when there are problems.",
        epilog=f"examples:\n"
        f"  {PROG} validate cohort.csv\n"
        f"  {PROG} validate cohort.csv --mapping mapping.yaml --drop-columns Name\n"
        f"  {PROG} validate cohort.csv --save-mapping mapping.yaml\n\n" + _MAPPING_HELP,
        formatter_class=_Formatter,
    )
    val.add_argument(
        "files",
        nargs="+",
        metavar="FILES",
        help="cohort files (CSV, TSV, Excel .xlsx, Parquet, JSON) or a folder of them",
    )
    _add_input_options(val)
    val.add_argument(
        "--save-mapping",
        metavar="FILE.yaml",
        help="also write the suggested mapping to this file (never replaces an existing "
        "file without --force, nor the --mapping file)",
    )
    val.add_argument(
        "--force", action="store_true", help="let --save-mapping replace an existing file"
    )
    val.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")

    sch = sub.add_parser(
        "schema",
        help="print the codebook of the canonical schema",
        description="Print every canonical column: its type, whether it is required, its "
        "allowed values and meaning.",
        formatter_class=_Formatter,
    )
    sch.add_argument(
        "--format",
        choices=("text", "markdown", "csv"),
        default="text",
        help="text for reading, markdown for documents, csv for spreadsheets",
    )
    sch.add_argument(
        "--table",
        choices=("cohort", "followup"),
        default="cohort",
        help="the cohort table (one row per participant) or the follow-up waves (one row "
        "per participant per wave)",
    )

    tpl = sub.add_parser(
        "template",
        help="write an empty cohort template (.xlsx or .csv)",
        description="Write an empty cohort file with the canonical header: an Excel "
        "workbook with drop-down lists and a codebook sheet, or a CSV header.",
        formatter_class=_Formatter,
    )
    tpl.add_argument("path", metavar="FILE", help="FILE.xlsx or FILE.csv")
    tpl.add_argument(
        "--table",
        choices=("cohort", "followup"),
        default="cohort",
        help="an empty cohort table, or an empty follow-up table (one row per participant "
        "per wave)",
    )
    tpl.add_argument(
        "--force", action="store_true", help="replace FILE if it exists (e.g. a filled-in copy)"
    )

    sim = sub.add_parser(
        "simulate",
        help="write a simulated cohort",
        description="Write a simulated cohort (fake participants, realistic structure) to "
        "try the tool or test a workflow.",
        formatter_class=_Formatter,
    )
    sim.add_argument("-n", type=int, default=200, help="number of participants")
    sim.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="output file (.csv, .tsv, .xlsx, .parquet, .json)",
    )
    sim.add_argument("--seed", type=int, default=0, help="seed: the same seed, the same cohort")
    sim.add_argument(
        "--waves",
        metavar="FILE",
        help="also write follow-up survey waves of the simulated participants (at 6, 12, "
        "24, 36 and 60 months, with dropout that is more likely for those not yet "
        "promoted) to FILE, for 'report FILE --followup WAVES'",
    )
    sim.add_argument("--force", action="store_true", help="replace FILE if it exists")
    return parser


# --------------------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------------------


class _Progress:
    """A line on stderr when each step starts; on a terminal, a ticking clock while a
    long step runs and its duration when it ends.  Silent with ``quiet``."""

    tick_after = 1.0  # seconds before a step's clock appears (terminals only)

    def __init__(self, quiet: bool, stream: TextIO | None = None) -> None:
        self.quiet = quiet
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._step: str | None = None
        self._t0 = time.perf_counter()
        self._start = self._t0
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._lock = threading.Lock()

    def __call__(self, step: str) -> None:
        self.done()
        self._step, self._t0 = step, time.perf_counter()
        if self.quiet:
            return
        if not self.tty:
            print(f"{step} ...", file=self.stream, flush=True)
            return
        self._write(f"{step} ...")
        self._stop = threading.Event()
        self._ticker = threading.Thread(
            target=self._tick, args=(step, self._stop), daemon=True, name="mentoranalytics-progress"
        )
        self._ticker.start()

    def _write(self, text: str, end: str = "") -> None:
        with self._lock:
            self.stream.write(f"\r\033[K{text}{end}")
            self.stream.flush()

    def _tick(self, step: str, stop: threading.Event) -> None:
        frames = "|/-\\"
        k = 0
        if stop.wait(self.tick_after):
            return
        while not stop.wait(0.25):
            elapsed = time.perf_counter() - self._t0
            self._write(f"{step} ... {frames[k % 4]} {elapsed:.0f} s")
            k += 1

    def done(self) -> None:
        """End the current step (its duration on a terminal)."""
        if self._ticker is not None:
            self._stop.set()
            self._ticker.join()
            self._ticker = None
        if self._step is not None and not self.quiet and self.tty:
            self._write(f"{self._step} ... done ({time.perf_counter() - self._t0:.1f} s)", "\n")
        self._step = None

    def say(self, text: str) -> None:
        self.done()
        if not self.quiet:
            print(text, file=self.stream, flush=True)

    def total(self) -> float:
        return time.perf_counter() - self._start


@contextmanager
def _steps(progress: _Progress) -> Iterator[_Progress]:
    try:
        yield progress
    finally:
        progress.done()


# --------------------------------------------------------------------------------------
# Files: inputs, outputs that never replace anything unasked
# --------------------------------------------------------------------------------------


class _UsageError(Exception):
    """A usage mistake detected after argument parsing (exit code 2)."""


def _split(text: str | None) -> tuple[str, ...] | None:
    if not text:
        return None
    return tuple(t.strip() for t in text.split(",") if t.strip())


def _followup_excluded(cohort: Any, args: argparse.Namespace) -> int:
    """Rows of the --followup file left out (0 without one): the cohort's excluded rows
    name their file."""
    if not getattr(args, "followup", None):
        return 0
    return int((cohort.excluded["file"].astype(str) == Path(args.followup).name).sum())


def _input_names(args: argparse.Namespace) -> str:
    """The file names the command reads (cohort files, then the follow-up file)."""
    files = [*args.files, *([args.followup] if getattr(args, "followup", None) else [])]
    return ", ".join(Path(f).name for f in files)


def _input_paths(args: argparse.Namespace) -> list[Path]:
    """Every file the command reads (a folder's files, the mapping file), resolved."""
    from .io import SUFFIXES

    out: list[Path] = []
    for f in getattr(args, "files", None) or ():
        path = Path(f)
        if path.is_dir():
            out += [p.resolve() for p in path.iterdir() if p.suffix.lower() in SUFFIXES]
        out.append(path.resolve())
    for extra in ("mapping", "followup"):
        if getattr(args, extra, None):
            out.append(Path(getattr(args, extra)).resolve())
    return out


def _check_target(path: Path, *, force: bool, inputs: Sequence[Path], what: str) -> None:
    """Refuse to replace an input (always) or an existing file (without --force)."""
    resolved = path.resolve()
    if resolved in inputs:
        raise _UsageError(
            f"the {what} {str(path)!r} is one of the input files; choose another name "
            "(an input is never replaced, even with --force)."
        )
    if path.is_dir():
        raise _UsageError(f"the {what} {str(path)!r} is a folder; give a file name.")
    if path.exists() and not force:
        raise _UsageError(
            f"{str(path)!r} already exists; choose another name, or add --force to replace it."
        )


def _check_folder(folder: Path, *, force: bool, inputs: Sequence[Path], what: str) -> None:
    """A folder written into: empty or new, or --force (inputs inside are checked later)."""
    if folder.exists() and not folder.is_dir():
        raise _UsageError(f"the {what} {str(folder)!r} is a file, not a folder.")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise _UsageError(
            f"the {what} {str(folder)!r} already holds files; choose a new folder, or add "
            "--force to replace the report files in it."
        )


def _install(staged: Path, target: Path, *, force: bool, inputs: Sequence[Path]) -> None:
    """Move every file written under ``staged`` to the same place under ``target``.

    Nothing moves until every destination is checked: none may be an input file, and
    none may exist unless ``force``.
    """
    files = sorted(p for p in staged.rglob("*") if p.is_file())
    moves = [(p, target / p.relative_to(staged)) for p in files]
    for _, dest in moves:
        if dest.resolve() in inputs:
            raise _UsageError(
                f"writing {str(dest)!r} would replace an input file; choose another "
                "output folder (an input is never replaced, even with --force)."
            )
        if dest.exists() and not force:
            raise _UsageError(
                f"{str(dest)!r} already exists; choose another name, or add --force to replace it."
            )
    for src, dest in moves:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.is_dir():
            raise _UsageError(f"{str(dest)!r} is a folder; cannot write a file there.")
        shutil.move(str(src), str(dest))


@contextmanager
def _staging(near: Path) -> Iterator[Path]:
    """A temporary folder beside ``near`` (same disk), removed afterwards."""
    near.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=".mentoranalytics-", dir=near))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------


def _cmd_report(args: argparse.Namespace) -> int:
    if args.files and args.sample:
        raise _UsageError("give either FILES or --sample, not both.")
    if args.followup and not args.files:
        raise _UsageError(
            "--followup needs the cohort FILES it follows (the packaged sample has its own)."
        )
    for f in [*args.files, *([args.followup] if args.followup else [])]:
        if not Path(f).exists():
            raise FileNotFoundError(2, "No such file or directory", f)
    suffix = ".md" if args.format == "markdown" else ".html"
    out = Path(args.output or f"mentoranalytics-report{suffix}")
    inputs = _input_paths(args)
    _check_target(out, force=args.force, inputs=inputs, what="report file")
    if args.format == "markdown":
        _check_folder(
            out.parent / f"{out.stem}_figures",
            force=args.force,
            inputs=inputs,
            what="figures folder",
        )
    if args.bundle:
        _check_folder(Path(args.bundle), force=args.force, inputs=inputs, what="--bundle folder")
        if Path(args.bundle).resolve() in inputs:
            raise _UsageError("the --bundle folder is an input; choose another folder.")

    from .report import ReportOptions, build_report, write_bundle, write_report

    progress = _Progress(args.quiet)
    with _steps(progress):
        if args.files:
            from .exceptions import DataQualityWarning
            from .io import load_cohort
            from .validation import advice_style

            progress(f"reading and checking {_input_names(args)}")
            source: object = args.files if len(args.files) > 1 else args.files[0]
            with warnings.catch_warnings(), advice_style("cli"):
                warnings.simplefilter("ignore", DataQualityWarning)  # summarised below
                try:
                    cohort = load_cohort(source, **_load_options(args))
                except SchemaError as exc:
                    raise SchemaError(
                        f"{exc}\nRun '{_validate_command(args)}' to list every problem and get "
                        "a suggested mapping file.",
                        problems=exc.problems,
                    ) from None
            label = ", ".join(dict.fromkeys(Path(str(f)).name for f in cohort.source["file"]))
        else:
            from .datasets import load_sample

            name = args.sample or "programme"
            progress.say(f"no files given: using the packaged sample '{name}' (synthetic data)")
            cohort = load_sample(name)
            label = f"packaged sample '{name}' (synthetic)"
        waves = getattr(cohort, "waves", None)
        in_followup = _followup_excluded(cohort, args)
        n_excluded = len(cohort.excluded) - in_followup
        n_read = len(cohort) + n_excluded
        n_cells = len(cohort.invalid_cells)
        if len(cohort) == 0:
            reasons = _top_reasons(cohort.excluded)
            raise SchemaError(
                f"no row can be analysed: all {n_read} rows read were left out ({reasons}); "
                "no report was written. Run "
                f"'{_validate_command(args)}' to list every problem with its rows."
            )
        followup_text = (
            f"; follow-up: {len(waves) + in_followup} rows read, {len(waves)} kept, "
            f"{in_followup} left out"
            if getattr(args, "followup", None) and waves is not None
            else ""
        )
        progress.say(
            f"{n_read} rows read: {len(cohort)} analysed, {n_excluded} left out"
            + followup_text
            + (f", {n_cells} invalid cells left empty" if n_cells else "")
            + (
                " (listed in the report's data-quality appendix)"
                if len(cohort.excluded) or n_cells
                else ""
            )
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
        with _staging(out.parent) as tmp:
            write_report(report, tmp / out.name, format=args.format)
            _install(tmp, out.parent, force=args.force, inputs=inputs)
        if args.bundle:
            bundle = Path(args.bundle)
            with _staging(bundle) as tmp:
                write_bundle(report, tmp)
                _install(tmp, bundle, force=args.force, inputs=inputs)
        progress.done()
        progress.say(f"report written to {out.resolve()}")
        if args.bundle:
            progress.say(f"bundle written to {Path(args.bundle).resolve()}")
    return EXIT_OK


def _top_reasons(excluded: Any) -> str:
    if not len(excluded):
        return "no rows"
    counts = excluded["reason"].astype(str).value_counts()
    parts = [f"{reason}: {int(n)}" for reason, n in counts.head(3).items()]
    more = f"; {len(counts) - 3} other reasons" if len(counts) > 3 else ""
    return "; ".join(parts) + more


def _command(args: argparse.Namespace, *, command: str, extra: Sequence[str] = ()) -> str:
    """The command line that repeats this one's inputs (for "next step" advice)."""
    words = [command, *[str(f) for f in args.files]]
    if args.mapping:
        words += ["--mapping", str(args.mapping)]
    for option in ("followup", "drop_columns", "allow_columns", "sheet"):
        value = getattr(args, option, None)
        if value:
            words += ["--" + option.replace("_", "-"), str(value)]
    if getattr(args, "invalid", "exclude") != "exclude":
        words += ["--invalid", args.invalid]
    words += list(extra)
    return PROG + " " + shlex.join(words)


def _validate_command(args: argparse.Namespace) -> str:
    return _command(args, command="validate")


# --------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------


def _load_for_validate(args: argparse.Namespace) -> dict[str, Any]:
    """Load as the report would; collect the cohort or the error, never raise data errors.

    After a personal-data refusal the files are read again without the flagged columns
    (when they are not cohort columns), so that one run lists every other problem too.
    """
    from .exceptions import DataQualityWarning
    from .io import load_cohort
    from .validation import advice_style

    options = _load_options(args)
    source: object = args.files if len(args.files) > 1 else args.files[0]
    found: dict[str, Any] = {
        "cohort": None,
        "error": None,
        "personal": None,
        "drop": [],
        "preview": None,
    }
    with warnings.catch_warnings(), advice_style("cli"):
        warnings.simplefilter("ignore", DataQualityWarning)  # summarised instead
        try:
            found["cohort"] = load_cohort(source, **options)
        except PersonalDataError as exc:
            found["personal"] = exc
        except SchemaError as exc:
            found["error"] = exc
        if found["personal"] is not None:
            drop = _droppable(found["personal"], args)
            if not drop:
                return found
            found["drop"] = drop
            options = dict(options, drop_columns=[*(options["drop_columns"] or []), *drop])
            try:
                found["cohort"] = load_cohort(source, **options)
            except PersonalDataError:
                found["drop"] = []  # another column is flagged too: fix these first
                return found
            except SchemaError as exc:
                if exc.problems is None:  # an option problem, not the data's
                    found["drop"] = []
                    return found
                found["error"] = exc
        # a misspelt header hides its values: read again with the suggested headers, so
        # that this run also lists the problems of those values
        result = found["cohort"] if found["cohort"] is not None else found["error"]
        headers = dict(getattr(result, "suggested_mapping", {}).get("columns") or {})
        if headers:
            try:
                found["preview"] = load_cohort(source, **options, columns=headers)
            except (SchemaError, PersonalDataError) as exc:
                found["preview"] = exc
    return found


def _droppable(error: PersonalDataError, args: argparse.Namespace) -> list[str]:
    """Flagged headers that are not cohort columns (so leaving them out loses nothing)."""
    from . import schema

    problems = error.problems
    if problems is None or not len(problems):
        return []
    mapped = set()
    if args.mapping:
        mapped = set(_mapping_doc(args.mapping).get("columns", {}) or {})
    out: list[str] = []
    for column in problems["column"].dropna().astype(str):
        if column in out:
            continue
        if (
            schema.normalise_header(column) in schema.HEADER_ALIASES
            or column in mapped
            or column.startswith("column ")
        ):
            return []  # a cohort column or an unnamed one: the user must fix the file
        out.append(column)
    return out


def _mapping_doc(path: str | os.PathLike[str] | None) -> dict[str, Any]:
    if not path:
        return {}
    from .io import _yaml_load

    doc = _yaml_load(Path(path))
    return dict(doc) if isinstance(doc, Mapping) else {}


def _cmd_validate(args: argparse.Namespace) -> int:
    import pandas as pd

    from .validation import _yaml_flow, describe_group, group_problems

    for f in args.files:
        if not Path(f).exists():
            raise FileNotFoundError(2, "No such file or directory", f)
    inputs = _input_paths(args)
    if args.save_mapping:
        _check_target(
            Path(args.save_mapping), force=args.force, inputs=inputs, what="--save-mapping file"
        )
    progress = _Progress(args.quiet)
    with _steps(progress):
        progress(f"reading and checking {_input_names(args)}")
        found = _load_for_validate(args)
    cohort, error, personal = found["cohort"], found["error"], found["personal"]

    if personal is not None:
        text = str(personal).splitlines()
        print(f"mentoranalytics: error: {text[0]}", file=sys.stderr)
        for line in text[1:26]:
            print(f"  {line}", file=sys.stderr)
        if not found["drop"] and cohort is None and error is None:
            print(
                "  Fix these first (the other problems are listed once they are resolved).",
                file=sys.stderr,
            )

    problems = None
    if cohort is not None:
        problems = cohort.problems
    elif error is not None and error.problems is not None:
        problems = error.problems
    elif error is not None:
        print(f"mentoranalytics: error: {error}", file=sys.stderr)
    if problems is not None and len(problems):
        multi = problems["file"].nunique() > 1 or bool(getattr(args, "followup", None))
        for group in group_problems(problems).to_dict("records"):
            print(describe_group({str(k): v for k, v in group.items()}, with_file=multi))
    notes = cohort.notes if cohort is not None else None
    if notes is not None and len(notes):
        for rec in pd.DataFrame(notes).to_dict("records"):
            print(f"note: {rec.get('message', rec)}", file=sys.stderr)

    source = cohort if cohort is not None else error
    suggested = dict(getattr(source, "suggested_mapping", None) or {})
    unmapped = dict(getattr(source, "unmapped_values", None) or {})
    preview = found["preview"]
    if preview is not None:
        _print_preview(preview, problems, set(suggested.get("columns", {}).values()))
        more = getattr(preview, "suggested_mapping", None) or {}
        for column, table in (more.get("values") or {}).items():
            merged = suggested.setdefault("values", {}).setdefault(column, {})
            for value, canonical in table.items():
                merged.setdefault(value, canonical)
        for column, items in (getattr(preview, "unmapped_values", None) or {}).items():
            unmapped.setdefault(column, [])
            unmapped[column] += [v for v in items if v not in unmapped[column]]
    drop = list(found["drop"])
    target = args.save_mapping or args.mapping or "mapping.yaml"
    mapping_text, new_entries = _suggested_mapping_text(args, suggested, unmapped)
    if new_entries or (unmapped and not args.mapping):
        print()
        if args.mapping:
            print(
                f"Suggested mapping: your {Path(args.mapping).name} with the corrections "
                f"found (save the lines between the markers as {target}):"
            )
        else:
            print(f"Suggested mapping (save the lines between the markers as {target}):")
        print(f"# --- {Path(target).name} ---")
        print(mapping_text, end="")
        print("# --- end ---")
        if unmapped:
            print(
                "Lines starting with '#' are values no allowed value is close to: replace ? "
                "by the value each stands for and remove the '#', or correct the cells."
            )
    elif unmapped:
        print()
        print(
            "Values no allowed value is close to (correct the cells, or map each under "
            f"values: in {target} to the value it stands for):"
        )
        for column, items in unmapped.items():
            print(f"  {column}: {', '.join(_yaml_flow(v) for v in items)}")
    if args.save_mapping and mapping_text:
        Path(args.save_mapping).write_text(mapping_text, encoding="utf-8")
        print(f"(suggested mapping saved to {args.save_mapping})")

    n_problems = len(problems) if problems is not None else 0
    clean = cohort is not None and not n_problems and personal is None
    if not clean and (new_entries or drop):
        following = argparse.Namespace(**vars(args))
        following.save_mapping = None
        if drop:
            following.drop_columns = ",".join([*(_split(args.drop_columns) or ()), *drop])
        if new_entries:
            following.mapping = target
        print()
        print("Next: " + _command(following, command="validate"))

    if cohort is not None:
        n_ex = len(cohort.excluded)
        n_cells = len(cohort.invalid_cells)
        cells = f", {n_cells} invalid cells would be left empty" if n_cells else ""
        waves = getattr(cohort, "waves", None)
        if waves is not None and getattr(args, "followup", None):
            name = Path(args.followup).name
            in_followup = _followup_excluded(cohort, args)
            rows = (
                f"cohort: {_count(len(cohort), 'row')} valid, "
                f"{_count(n_ex - in_followup, 'row')} would be excluded; follow-up ({name}): "
                f"{_count(len(waves), 'row')} valid, {_count(in_followup, 'row')} would be "
                "excluded"
            )
        else:
            rows = f"{_count(len(cohort), 'row')} valid, {_count(n_ex, 'row')} would be excluded"
        print(f"{rows}{cells}, {_count(n_problems, 'problem')}.", file=sys.stderr)
        kept = _kept_if_missing(problems) if args.invalid == "exclude" else 0
        if kept:
            print(
                f"With --invalid missing, {kept} of the excluded rows would be kept, with "
                "only the invalid cells left empty.",
                file=sys.stderr,
            )
        if len(cohort) == 0 and (n_ex or personal is None):
            print("No row can be analysed as the files are.", file=sys.stderr)
    elif problems is not None:
        print(
            f"{_count(len(problems), 'problem')}; the files cannot be read as they are "
            "(file-level problems must be fixed first).",
            file=sys.stderr,
        )
    return EXIT_OK if clean else EXIT_DATA


def _print_preview(preview: Any, before: Any, columns: set[str]) -> None:
    """Problems in the columns whose headers the suggested mapping corrects."""
    from .validation import describe_group, group_problems

    problems = getattr(preview, "problems", None)
    if problems is None or not len(problems):
        return
    mask = problems["column"].isin(sorted(columns)) & problems["row"].notna()
    new = problems[mask]
    if not len(new):
        return
    print()
    print(
        f"With the suggested headers ({', '.join(sorted(columns))}), these values would "
        "also need attention:"
    )
    multi = problems["file"].nunique() > 1
    for group in group_problems(new).to_dict("records"):
        print(describe_group({str(k): v for k, v in group.items()}, with_file=multi))


def _count(n: int, noun: str) -> str:
    words = noun.split(" ", 1)
    plural = words[0] + ("s" if n != 1 else "")
    return " ".join([str(n), plural, *words[1:]])


def _kept_if_missing(problems: Any) -> int:
    """Rows left out only for invalid cells outside the required columns."""
    from . import schema
    from .validation import CELL_RULES

    if problems is None or not len(problems):
        return 0
    rows = problems[problems["row"].notna()]
    only_cells = rows["rule"].isin(sorted(CELL_RULES)) & ~rows["column"].isin(
        list(schema.REQUIRED_COLUMNS)
    )
    ok = only_cells.groupby([rows["file"], rows["row"]]).all()
    return int(ok.sum())


def _suggested_mapping_text(
    args: argparse.Namespace, suggested: Mapping[str, Any], unmapped: Mapping[str, Sequence[str]]
) -> tuple[str, int]:
    """The mapping file to use next (the user's own entries, the near-certain
    corrections and, commented out, the values nothing is close to) and the number of
    corrections that are new."""
    from .validation import _yaml_flow

    if not suggested and not unmapped:
        return "", 0
    doc = _mapping_doc(args.mapping)
    new = 0
    columns: dict[Any, Any] = dict(doc.get("columns") or {})
    for header, canonical in (suggested.get("columns") or {}).items():
        if header not in columns:
            columns[header] = canonical
            new += 1
    values: dict[str, dict[Any, Any]] = {
        str(c): dict(t or {}) for c, t in (doc.get("values") or {}).items()
    }
    for column, table in (suggested.get("values") or {}).items():
        values.setdefault(column, {})
        for value, canonical in table.items():
            if value not in values[column]:
                values[column][value] = canonical
                new += 1
    lines: list[str] = []
    if columns:
        lines.append("columns:")
        lines += [f"  {_yaml_flow(k)}: {_yaml_flow(v)}" for k, v in columns.items()]
    todo = {c: [v for v in vs if v not in values.get(c, {})] for c, vs in unmapped.items()}
    todo = {c: vs for c, vs in todo.items() if vs}
    if values or todo:
        lines.append("values:")
        for column in [*values, *[c for c in todo if c not in values]]:
            lines.append(f"  {column}:")
            lines += [
                f"    {_yaml_flow(k)}: {_yaml_flow(v)}" for k, v in values.get(column, {}).items()
            ]
            lines += [f"    # {_yaml_flow(v)}: ?" for v in todo.get(column, [])]
    for key in ("drop_columns", "allow_columns"):
        if doc.get(key):
            lines.append(f"{key}: {_yaml_flow(list(doc[key]))}")
    return "\n".join(lines) + "\n", new


# --------------------------------------------------------------------------------------
# schema, template, simulate
# --------------------------------------------------------------------------------------


def _cmd_schema(args: argparse.Namespace) -> int:
    from .schema import render_codebook

    sys.stdout.write(render_codebook(args.format, table=args.table))
    return EXIT_OK


def _cmd_template(args: argparse.Namespace) -> int:
    from .io import write_template

    _check_target(Path(args.path), force=args.force, inputs=[], what="template file")
    path = write_template(args.path, table=args.table)
    print(f"template written to {path}", file=sys.stderr)
    return EXIT_OK


def _cmd_simulate(args: argparse.Namespace) -> int:
    from .datasets import simulate_cohort
    from .io import write_table

    _check_target(Path(args.output), force=args.force, inputs=[], what="output file")
    if args.waves:
        if Path(args.waves).resolve() == Path(args.output).resolve():
            raise _UsageError("--waves needs a file of its own, not the cohort FILE.")
        _check_target(Path(args.waves), force=args.force, inputs=[], what="--waves file")
    frame = simulate_cohort(args.n, rng=args.seed)
    path = write_table(frame, args.output)
    print(f"{len(frame)} simulated participants written to {path}", file=sys.stderr)
    if args.waves:
        from .datasets import simulate_waves

        waves = simulate_waves(frame, rng=args.seed, informative=2.0)
        wpath = write_table(waves, args.waves)
        print(f"{len(waves)} follow-up rows written to {wpath}", file=sys.stderr)
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
        lines = str(exc).splitlines() or [type(exc).__name__]
        print(f"mentoranalytics: error: {lines[0]}", file=sys.stderr)
        for line in lines[1:26]:
            print(f"  {line}", file=sys.stderr)
        return EXIT_DATA
    except _UsageError as exc:
        print(f"mentoranalytics: usage error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FileNotFoundError as exc:
        print(f"mentoranalytics: usage error: file not found: {exc.filename}", file=sys.stderr)
        return EXIT_USAGE
