"""Build a design's report bundle as a user would, and read back everything it publishes.

:func:`build_bundle` writes the design to CSV in its own folder and runs the command
line (``report CSV -o HTML --bundle DIR --quiet --privacy POLICY``).  :func:`read_bundle`
collects every published file: ``published_numbers.json`` (records of table, row,
column, value, suppressed, and any field added later), every CSV in ``tables/``, every
sheet of ``tables.xlsx``, the text of ``report.html`` and ``report.md`` and every SVG in
``figures/`` (parsed with :mod:`xml.etree`: texts, marker uses and paths with their
coordinates, per axes).  Unknown files and fields are kept, never an error.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .designs import Design

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


#: The smallest valid PNG (1x1), written instead of the charts' PNGs when asked.
_TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@dataclass
class Run:
    """One run of the command line: its exit code, what it printed and where it wrote."""

    code: int
    stdout: str
    stderr: str
    html: Path
    bundle: Path

    @property
    def refused(self) -> bool:
        return self.code not in (0, None)

    def written(self) -> list[Path]:
        """Every file the run left in its output folder (a refusal must leave none)."""
        return sorted(p for p in self.html.parent.rglob("*") if p.is_file())


def run_report(design: Design, policy: str, workdir: Path, *, skip_png: bool = False) -> Run:
    """Write ``design`` to CSV and run ``mentoranalytics report ... --bundle``.

    ``skip_png`` writes a 1x1 PNG for every chart instead of rendering it (the attacks
    read the SVGs, which hold the same marks); the control tests use it to stay fast.
    """
    from unittest import mock

    from mentoranalytics import cli

    folder = Path(workdir) / design.folder
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / "cohort.csv"
    design.frame.to_csv(csv, index=False)
    out = Path(workdir) / f"out_{policy}"
    out.mkdir(parents=True, exist_ok=True)
    html_path = out / "report.html"
    bundle = out / "bundle"
    err, std = io.StringIO(), io.StringIO()
    png = (
        mock.patch("mentoranalytics.report._png.render_png", lambda fig, dpi=150: _TINY_PNG)
        if skip_png
        else contextlib.nullcontext()
    )
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(std), png:
        code = cli.main(
            [
                "report",
                str(csv),
                "-o",
                str(html_path),
                "--bundle",
                str(bundle),
                "--quiet",
                "--privacy",
                policy,
            ]
        )
    return Run(0 if code is None else int(code), std.getvalue(), err.getvalue(), html_path, bundle)


def build_bundle(
    design: Design, policy: str, workdir: Path, *, skip_png: bool = False
) -> Path | None:
    """The bundle folder of :func:`run_report`, or None when the command refused the data
    (a refusal publishes nothing, so nothing can be recovered from it)."""
    run = run_report(design, policy, workdir, skip_png=skip_png)
    return None if run.refused else run.bundle


# ---------------------------------------------------------------------------------------
# SVG
# ---------------------------------------------------------------------------------------

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


@dataclass
class SvgText:
    text: str
    x: float
    y: float
    ids: tuple[str, ...]


@dataclass
class SvgUse:
    href: str
    x: float
    y: float
    ids: tuple[str, ...]
    style: str


@dataclass
class SvgPath:
    points: list[tuple[float, float]]
    ids: tuple[str, ...]
    style: str
    moves: int  # number of sub-paths (M commands)


@dataclass
class Tick:
    pos: float
    label: str


@dataclass
class SvgAxes:
    """One matplotlib axes: its plot area, ticks and everything drawn inside it."""

    id: str
    box: tuple[float, float, float, float] | None  # x0, y0, x1, y1 (pixels)
    xticks: list[Tick] = field(default_factory=list)
    yticks: list[Tick] = field(default_factory=list)
    texts: list[SvgText] = field(default_factory=list)
    uses: list[SvgUse] = field(default_factory=list)
    paths: list[SvgPath] = field(default_factory=list)

    def _fit(self, ticks: list[Tick]) -> tuple[float, float] | None:
        pts = [(t.pos, v) for t in ticks if (v := parse_number(t.label)) is not None]
        pts = list({p: None for p in pts})
        if len(pts) < 2:
            return None
        (p0, v0), (p1, v1) = pts[0], pts[-1]
        if p1 == p0:
            return None
        slope = (v1 - v0) / (p1 - p0)
        return slope, v0 - slope * p0

    def x_data(self, px: float) -> float | None:
        fit = self._fit(self.xticks)
        return None if fit is None else fit[0] * px + fit[1]

    def y_data(self, py: float) -> float | None:
        fit = self._fit(self.yticks)
        return None if fit is None else fit[0] * py + fit[1]

    @property
    def x_scale(self) -> tuple[float, float] | None:
        return self._fit(self.xticks)

    @property
    def y_scale(self) -> tuple[float, float] | None:
        return self._fit(self.yticks)


@dataclass
class SvgFigure:
    name: str
    axes: list[SvgAxes]
    texts: list[SvgText]  # every text in the figure (also outside axes)

    def all_text(self) -> str:
        return "\n".join(t.text for t in self.texts)


def parse_number(label: str) -> float | None:
    """'−1' -> -1.0, '20%' -> 0.2, '0.25' -> 0.25; None when not a plain number."""
    text = label.strip().replace("\u2212", "-").replace(",", "")
    percent = text.endswith("%")
    text = text.rstrip("%").strip()
    if not re.fullmatch(_NUM, text):
        return None
    value = float(text)
    return value / 100 if percent else value


def _translate(elem: ET.Element) -> tuple[float, float] | None:
    m = re.search(rf"translate\(\s*({_NUM})[ ,]+({_NUM})\s*\)", elem.get("transform", ""))
    if m:
        return float(m.group(1)), float(m.group(2))
    return None


def _path_points(d: str) -> tuple[list[tuple[float, float]], int]:
    nums = [float(v) for v in re.findall(_NUM, d)]
    pts = list(zip(nums[0::2], nums[1::2], strict=False))
    return pts, len(re.findall(r"[Mm]", d))


def parse_svg(name: str, text: str) -> SvgFigure:
    """Axes, ticks, texts, marker uses and paths of a matplotlib SVG."""
    root = ET.fromstring(text)
    axes: list[SvgAxes] = []
    texts: list[SvgText] = []

    def walk(elem: ET.Element, ids: tuple[str, ...], ax: SvgAxes | None) -> None:
        gid = elem.get("id")
        tag = elem.tag.replace(SVG, "")
        if tag == "g" and gid:
            ids = (*ids, gid)
            if re.fullmatch(r"axes_\d+", gid):
                ax = SvgAxes(gid, None)
                axes.append(ax)
        if tag == "text":
            content = "".join(elem.itertext())
            pos = _translate(elem)
            if pos is None:
                pos = (float(elem.get("x", "nan")), float(elem.get("y", "nan")))
            item = SvgText(html.unescape(content), pos[0], pos[1], ids)
            texts.append(item)
            if ax is not None:
                ax.texts.append(item)
        elif tag == "use" and ax is not None:
            href = elem.get(f"{XLINK}href") or elem.get("href") or ""
            ax.uses.append(
                SvgUse(
                    href,
                    float(elem.get("x", "0")),
                    float(elem.get("y", "0")),
                    ids,
                    elem.get("style", ""),
                )
            )
        elif tag == "path" and ax is not None and "defs" not in ids:
            pts, moves = _path_points(elem.get("d", ""))
            ax.paths.append(SvgPath(pts, ids, elem.get("style", ""), moves))
        for child in elem:
            walk(child, ids if tag != "defs" else (*ids, "defs"), ax)

    walk(root, (), None)
    for ax in axes:
        for p in ax.paths:
            if (
                len(p.ids) >= 2
                and p.ids[-1] == "patch_2"
                or (ax.box is None and p.ids[-1].startswith("patch") and len(p.points) == 4)
            ):
                xs = [q[0] for q in p.points]
                ys = [q[1] for q in p.points]
                if ax.box is None:
                    ax.box = (min(xs), min(ys), max(xs), max(ys))
        ax.xticks = _ticks(ax, "xtick_")
        ax.yticks = _ticks(ax, "ytick_")
    return SvgFigure(name, axes, texts)


def _ticks(ax: SvgAxes, prefix: str) -> list[Tick]:
    pos: dict[str, float] = {}
    for u in ax.uses:
        tick = next((i for i in u.ids if i.startswith(prefix)), None)
        if tick and tick not in pos:
            pos[tick] = u.x if prefix == "xtick_" else u.y
    labels: dict[str, list[str]] = {}
    for t in ax.texts:
        tick = next((i for i in t.ids if i.startswith(prefix)), None)
        if tick:
            labels.setdefault(tick, []).append(t.text)
    return [Tick(pos[k], "\n".join(labels.get(k, []))) for k in pos]


# ---------------------------------------------------------------------------------------
# the whole bundle
# ---------------------------------------------------------------------------------------


@dataclass
class Published:
    """Everything a bundle publishes."""

    directory: Path
    meta: dict[str, Any]
    title: str
    banner: str | None
    records: list[dict[str, Any]]
    tables: dict[str, pd.DataFrame]
    sheets: dict[str, pd.DataFrame]
    html: str
    html_text: str
    markdown: str
    figures: dict[str, SvgFigure]
    files: list[str]
    raw: dict[str, str] = field(repr=False, default_factory=dict)

    @property
    def policy(self) -> str:
        return str(self.meta.get("privacy", ""))

    def all_text(self) -> str:
        """Every published character: report texts, JSON, CSVs, sheets and SVG texts."""
        parts = [self.html_text, self.markdown, *self.raw.values()]
        parts += [f.all_text() for f in self.figures.values()]
        for sheet in self.sheets.values():
            parts.append(sheet.to_csv(index=False))
        return "\n".join(parts)


def _html_text(doc: str) -> str:
    """Visible text of the HTML report (tags dropped, entities decoded, data URIs dropped)."""
    doc = re.sub(r"<(script|style)\b.*?</\1>", " ", doc, flags=re.S | re.I)
    doc = re.sub(r"data:[^\"')\s]+", " ", doc)
    doc = re.sub(r"<[^>]+>", "\n", doc)
    doc = html.unescape(doc)
    return "\n".join(line.strip() for line in doc.splitlines() if line.strip())


def read_bundle(directory: Path) -> Published:
    """Read every file of a bundle."""
    directory = Path(directory)
    files = sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())
    raw: dict[str, str] = {}
    meta: dict[str, Any] = {}
    records: list[dict[str, Any]] = []
    title, banner = "", None
    jpath = directory / "published_numbers.json"
    if jpath.exists():
        text = jpath.read_text(encoding="utf-8")
        raw["published_numbers.json"] = text
        doc = json.loads(text)
        meta = dict(doc.get("meta", {}))
        title = str(doc.get("title", ""))
        banner = doc.get("banner")
        records = [dict(r) for r in doc.get("numbers", []) if isinstance(r, dict)]
    tables: dict[str, pd.DataFrame] = {}
    for p in sorted((directory / "tables").glob("*.csv")):
        text = p.read_text(encoding="utf-8")
        raw[f"tables/{p.name}"] = text
        tables[p.stem] = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    for p in sorted(directory.glob("*.csv")):  # e.g. a decision log
        raw[p.name] = p.read_text(encoding="utf-8")
    sheets: dict[str, pd.DataFrame] = {}
    xpath = directory / "tables.xlsx"
    if xpath.exists():
        book = pd.read_excel(xpath, sheet_name=None, dtype=str, keep_default_na=False)
        sheets = {str(k): v for k, v in book.items()}
    html_doc = (
        (directory / "report.html").read_text(encoding="utf-8")
        if (directory / "report.html").exists()
        else ""
    )
    markdown = (
        (directory / "report.md").read_text(encoding="utf-8")
        if (directory / "report.md").exists()
        else ""
    )
    figures: dict[str, SvgFigure] = {}
    for p in sorted((directory / "figures").glob("*.svg")):
        text = p.read_text(encoding="utf-8")
        figures[p.stem] = parse_svg(p.stem, text)
    for p in sorted(directory.rglob("*")):
        rel = str(p.relative_to(directory))
        if p.is_file() and p.suffix in (".txt", ".json", ".md", ".csv") and rel not in raw:
            if rel != "report.md":
                raw[rel] = p.read_text(encoding="utf-8", errors="replace")
    return Published(
        directory=directory,
        meta=meta,
        title=title,
        banner=banner,
        records=records,
        tables=tables,
        sheets=sheets,
        html=html_doc,
        html_text=_html_text(html_doc),
        markdown=markdown,
        figures=figures,
        files=files,
        raw=raw,
    )


def withheld(pub: Published, table_suffix: str, columns: tuple[str, ...]) -> Published:
    """A copy of ``pub`` with these columns of these tables marked suppressed.

    Used by the control tests: the internal report publishes everything, so to prove that
    an inversion works it must be given something withheld to find.
    """
    import copy

    records = []
    for rec in pub.records:
        rec = dict(rec)
        if str(rec.get("table", "")).endswith(table_suffix) and rec.get("column") in columns:
            rec["value"], rec["suppressed"] = None, True
        records.append(rec)
    tables = {}
    for name, frame in pub.tables.items():
        frame = frame.copy()
        if name.endswith(table_suffix):
            for c in columns:
                if c in frame.columns:
                    frame[c] = "suppressed"
        tables[name] = frame
    out = copy.copy(pub)
    out.records, out.tables = records, tables
    return out
