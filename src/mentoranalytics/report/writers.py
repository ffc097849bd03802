"""Writers: one self-contained HTML file, Markdown with figures beside it, and the bundle.

All writers read the same :class:`~mentoranalytics.report.model.Report`, so every format
publishes the same numbers.  Spreadsheet and CSV cells are neutralised against formula
injection.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pandas as pd

from .model import FigureBlock, Paragraph, Report, TableBlock

#: Display names of the frozen tidy columns (the data and the JSON keep the tidy names).
HEADER_LABELS = {
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "p_value": "p",
    "p_value_holm": "p (Holm)",
    "p_value_bh": "p (BH)",
    "detectable_difference": "smallest detectable gap",
    "n_missing": "missing",
    "q1": "Q1",
    "q3": "Q3",
    "sd": "SD",
    "sha256": "SHA-256",
    "rows_read": "rows read",
    "refusals_per_approach": "refusals per approach",
    "mentors_approached": "mentors approached",
    "n_at_risk": "at risk",
    "survival": "not yet promoted",
    "std_error": "SE",
    "base_rate": "rate in the reference group",
    "homogeneity_p_value": "p (cohorts differ)",
    "n_strata_used": "cohorts used",
    "detectable_15": "participants per group for a 15-point gap",
    "cohorts_needed": "cohorts of this size",
}


def css_string(text: str) -> str:
    """``text`` as a CSS string literal (for the printed page header)."""
    out = []
    for ch in str(text):
        if ch in '"\\' or ch in "<>&" or ord(ch) < 32:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def chunks(section: Any) -> list[tuple[str, Any]]:
    """A section's blocks for the HTML template: ``("block", b)`` in reading order, and
    each run of technical tables as one ``("details", [b, ...])`` folded away."""
    out: list[tuple[str, Any]] = []
    for block in section.blocks:
        if isinstance(block, TableBlock) and block.technical:
            if out and out[-1][0] == "details":
                out[-1][1].append(block)
            else:
                out.append(("details", [block]))
        else:
            out.append(("block", block))
    return out


def _label(value: Any) -> str:
    if isinstance(value, tuple):
        return " / ".join(str(v) for v in value)
    return "" if value is None else str(value)


def header_label(value: Any) -> str:
    """How a column is headed in the HTML and Markdown report."""
    text = _label(value)
    return HEADER_LABELS.get(text, text)


def _index_name(block: TableBlock) -> str:
    names = [n for n in block.frame.index.names if n]
    return " / ".join(str(n) for n in names)


def render_html(report: Report) -> str:
    """The report as one self-contained HTML document (inline CSS, charts as data URIs)."""
    import jinja2
    import markupsafe

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mentoranalytics.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        svg_b64=lambda b: base64.b64encode(b.svg.encode("utf-8")).decode("ascii"),
        label=_label,
        header=header_label,
        index_name=_index_name,
        chunks=chunks,
        css_string=lambda t: markupsafe.Markup(css_string(t)),
    )
    template = env.get_template("report.html.j2")
    return template.render(report=report, meta=report.meta)


def _markdown_table(block: TableBlock) -> str:
    head = [_index_name(block) or " "] + [header_label(c) for c in block.frame.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for idx, row in block.display_rows():
        cells = [_label(idx)] + [str(text) for text, _ in row]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def _markdown_block(block: TableBlock) -> list[str]:
    out = [f"**{block.caption}**", "", _markdown_table(block), ""]
    out += [f"- {n}" for n in block.notes]
    if block.notes:
        out.append("")
    return out


def render_markdown(report: Report, figure_dir: str = "figures") -> str:
    """The report as Markdown; figures are referenced as ``figure_dir/NAME.svg``.

    Technical tables (effect-size variants, models, life tables) are moved to an
    appendix at the end, so the sections read in plain words."""
    out = [f"# {report.title}", "", report.subtitle, ""]
    if report.banner:
        out += [f"> **{report.banner}**", ""]
    appendix: list[tuple[str, list[TableBlock]]] = []
    for section in report.sections:
        out += [f"## {section.title}", ""]
        if report.banner:
            out += [f"> **{report.banner}**", ""]
        if section.intro:
            out += [f"*{section.intro}*", ""]
        if section.unavailable:
            out += [f"*{section.unavailable}*", ""]
        technical = [b for b in section.blocks if isinstance(b, TableBlock) and b.technical]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                if block.kind == "question":
                    out += [f"### {block.text}", ""]
                    continue
                prefix = {"finding": "**Finding.** ", "warning": "**Caution.** "}.get(
                    block.kind, ""
                )
                out += [prefix + block.text, ""]
            elif isinstance(block, FigureBlock):
                out += [
                    f"![{block.alt}]({figure_dir}/{block.name}.svg)",
                    "",
                    f"*{block.caption}*",
                    "",
                ]
            elif not block.technical:
                out += _markdown_block(block)
        if technical:
            appendix.append((section.title, technical))
            out += [
                f"*Technical tables of this section ({len(technical)}): see "
                f"Appendix: technical tables, '{section.title}'.*",
                "",
            ]
    if appendix:
        out += ["## Appendix: technical tables", ""]
        if report.banner:
            out += [f"> **{report.banner}**", ""]
        for title, blocks in appendix:
            out += [f"### {title}", ""]
            for block in blocks:
                out += _markdown_block(block)
    version = report.meta.get("version", "")
    stamp = f" on {report.meta['timestamp']}" if report.meta.get("timestamp") else ""
    out += ["---", f"Written by mentoranalytics {version}{stamp}."]
    return "\n".join(out).rstrip() + "\n"


def write_figures(report: Report, directory: Path) -> list[Path]:
    """Write every figure as SVG and PNG into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for fig in report.figures():
        svg = directory / f"{fig.name}.svg"
        svg.write_text(fig.svg, encoding="utf-8")
        png = directory / f"{fig.name}.png"
        png.write_bytes(fig.png())
        paths += [svg, png]
    return paths


def write_report(report: Report, path: str | Path, *, format: str = "html") -> Path:
    """Write the report to ``path`` as ``"html"`` or ``"markdown"`` (figures beside it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if format == "html":
        path.write_text(render_html(report), encoding="utf-8")
    elif format == "markdown":
        fig_dir = path.parent / f"{path.stem}_figures"
        write_figures(report, fig_dir)
        path.write_text(render_markdown(report, fig_dir.name), encoding="utf-8")
    else:
        raise ValueError(f"format must be 'html' or 'markdown', not {format!r}.")
    return path


def _export_frame(block: TableBlock) -> pd.DataFrame:
    """The published table for spreadsheets/CSV: suppressed cells say so; formulas neutralised."""
    from ..privacy import neutralise_frame

    mask = block.suppressed_mask()
    frame = block.frame.astype(object).where(~mask, "suppressed")
    frame = frame.reset_index()
    frame.columns = [_label(c) for c in frame.columns]
    return neutralise_frame(frame)


def write_bundle(report: Report, directory: str | Path) -> list[Path]:
    """Write the HTML report, an Excel workbook (one sheet per table), a JSON file of every
    published number, one CSV per table, every figure as PNG and SVG, the release gate's
    decision log (``decisions.csv``: every suppressed or withheld number with its rule and
    reason) and its joint audit (``audit.csv``: the feasible range of every protected cell)."""
    from ..privacy import neutralise_frame

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = [write_report(report, directory / "report.html")]
    md_path = directory / "report.md"
    md_path.write_text(render_markdown(report, "figures"), encoding="utf-8")
    written.append(md_path)

    numbers = {
        "title": report.title,
        "banner": report.banner,
        "meta": {k: v for k, v in report.meta.items() if isinstance(v, str | int | float | bool)},
        "numbers": report.published_numbers(),
    }
    json_path = directory / "published_numbers.json"
    json_path.write_text(
        json.dumps(numbers, indent=1, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8"
    )
    written.append(json_path)

    for name, frame in (("decisions", report.decisions), ("audit", report.audit)):
        if frame is not None:
            path = directory / f"{name}.csv"
            neutralise_frame(frame.reset_index(drop=True)).to_csv(
                path, index=False, lineterminator="\n"
            )
            written.append(path)

    csv_dir = directory / "tables"
    csv_dir.mkdir(exist_ok=True)
    xlsx_path = directory / "tables.xlsx"
    with pd.ExcelWriter(xlsx_path, engine="openpyxl") as xl:
        used: set[str] = set()
        if report.banner:
            pd.DataFrame({"notice": [report.banner]}).to_excel(xl, sheet_name="README", index=False)
            used.add("README")
        for block in report.tables():
            frame = _export_frame(block)
            csv_path = csv_dir / f"{block.name}.csv"
            frame.to_csv(csv_path, index=False, lineterminator="\n")
            written.append(csv_path)
            sheet = _sheet_name(block.name, used)
            frame.to_excel(xl, sheet_name=sheet, index=False)
    _strip_xlsx_times(xlsx_path)
    written.append(xlsx_path)
    written += write_figures(report, directory / "figures")
    return written


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "table"
    candidate, i = base, 2
    while candidate in used:
        suffix = f"_{i}"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(candidate)
    return candidate


def _strip_xlsx_times(path: Path) -> None:
    """Rewrite the workbook with fixed zip timestamps and creation dates (reproducible bytes)."""
    import re
    import zipfile

    fixed = (1980, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(path) as zin:
        items = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for name, data in items:
            if name == "docProps/core.xml":
                data = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", b"", data)
            info = zipfile.ZipInfo(name, date_time=fixed)
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, data)
