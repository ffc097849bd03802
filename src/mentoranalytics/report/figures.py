"""Render matplotlib figures to SVG and PNG deterministically (same input, same bytes)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ._png import _RC
from .model import Block, FigureBlock, Paragraph


def render_figure(fig: Any, name: str, caption: str, *, alt: str = "") -> FigureBlock:
    """Render ``fig`` to SVG text, detach it from pyplot, and return a :class:`FigureBlock`.

    SVG ids are salted with a constant and dates are left out, so the same figure
    always gives the same bytes.  The PNG is rendered later, only if a bundle asks.
    The figure is saved at its own size: every chart of the report has constrained
    layout, which keeps all its text inside the figure (a tight bounding box would only
    trim the layout's padding, at the price of laying the figure out twice more).
    """
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from ..plot._autofit import fitted_once

    try:
        with mpl.rc_context(_RC), fitted_once(fig):  # type: ignore[arg-type]
            buf = io.StringIO()
            fig.savefig(buf, format="svg", metadata={"Date": None})
    finally:
        plt.close(fig)  # the figure object stays usable for the PNG
    svg = buf.getvalue()
    start = svg.find("<svg")  # drop the XML prolog and DOCTYPE so the SVG can be inlined
    return FigureBlock(name=name, caption=caption, svg=svg[start:], alt=alt or caption, figure=fig)


#: A chart whose pickled inputs are larger than this (bytes; record-level data of a very
#: large cohort) is drawn in the report's own process instead of being copied to the child.
_MAX_INPUT = 64 * 2**20

#: Environment variable: how many processes draw the report's charts (1 draws them in
#: this process; default 2 where ``os.fork`` is safe: on Linux, in a process without other
#: threads, such as the command line, but not a Jupyter kernel).
JOBS_VARIABLE = "MENTORANALYTICS_JOBS"


def draw_figure(draw: Callable[[], Any]) -> Any:
    """Call a chart's draw function in the package theme; return its Figure."""
    from .. import plot

    with plot.theme():
        drawn = draw()
    return drawn if hasattr(drawn, "savefig") else drawn.figure


def _render_one(name: str, caption: str, draw: Callable[[], Any]) -> FigureBlock | Paragraph:
    import matplotlib.pyplot as plt

    from ..exceptions import MentorAnalyticsError

    try:
        fig = draw_figure(draw)
    except MentorAnalyticsError as exc:
        plt.close("all")
        return Paragraph(f"Chart not drawn: {exc}", kind="note")
    return render_figure(fig, name, caption)


def _drawn_again(name: str, caption: str, draw: Callable[[], Any]) -> Any:
    """The figure drawn and rendered to SVG again, in the state a PNG is rendered from."""
    return render_figure(draw_figure(draw), name, caption).figure


def _jobs() -> int:
    value = os.environ.get(JOBS_VARIABLE, "")
    if value.strip().isdigit():
        return max(1, int(value))
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return 1  # fork is unsafe on macOS and absent on Windows
    import threading

    if threading.active_count() > 1 + _own_threads():
        return 1  # nor beside other threads (a Jupyter kernel's): they may hold locks
    return min(2, os.cpu_count() or 1)


def _own_threads() -> int:
    """The package's own threads (the command line's progress clock): the child never
    uses what they hold (it writes to its own null streams)."""
    import threading

    return sum(t.name.startswith("mentoranalytics-") for t in threading.enumerate())


def _quiet_child() -> None:  # pragma: no cover - runs in the child
    """Give the child standard streams of its own: another thread of the parent may have
    held the old ones' locks at the fork, and nothing the child could say is needed (a
    chart it fails to render is rendered again by the parent, which reports the error)."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)
    sys.stdout = open(os.devnull, "w")  # lives as long as the child
    sys.stderr = open(os.devnull, "w")


def _block(name: str, caption: str, draw: Callable[[], Any], kind: str, text: str) -> Block:
    """A chart rendered elsewhere, as this process would have rendered it."""
    if kind == "note":
        return Paragraph(text, kind="note")
    again = functools.partial(_drawn_again, name, caption, draw)
    return FigureBlock(name=name, caption=caption, svg=text, alt=caption, redraw=again)


def _rendered(name: str, draw: Callable[[], Any]) -> tuple[str, str]:
    """``(kind, text)`` of a chart: ``("svg", svg)``, or ``("note", text)`` when the chart
    has nothing to draw."""
    block = _render_one(name, "", draw)
    if isinstance(block, FigureBlock):
        return "svg", block.svg
    assert isinstance(block, Paragraph)
    return "note", block.text


class ChartFarm:
    """The report's charts, rendered ahead by a forked child while the report is built.

    Rendering SVG is the slowest step of a report and it needs nothing but a chart's own
    inputs, which are released numbers fixed when a section defines the chart.  So when
    two processes are available (:data:`JOBS_VARIABLE`, Linux) a child is forked when the
    build starts; it imports matplotlib and renders each chart the sections
    :meth:`submit`, on the second core, while this process goes on with the statistics and
    the release gate.  A chart is sent as its pickled draw function (a
    :func:`functools.partial` of a module-level function and its inputs); a chart
    defined again by a later build with the same pickled inputs is the same chart and is
    not sent again.  :meth:`collect` takes the final build's charts: those the child has
    rendered are used, the rest (inputs that changed, draws that cannot be pickled, a
    child that failed) are rendered here.  Rendering is deterministic, so the bytes are
    the same as with one process.

    Use as a context manager: leaving it ends the child.
    """

    def __init__(self, jobs: int | None = None) -> None:
        self._pid = 0
        self._jobs_fd = -1
        self._results: Any = None
        self._inputs: Any = None
        self._inputs_end = 0
        self._sent: dict[tuple[str, bytes], int] = {}
        self._latest: dict[str, int] = {}  # the job of each chart's latest definition
        self._keys: dict[tuple[int, str], tuple[Any, tuple[str, bytes] | None]] = {}
        if (_jobs() if jobs is None else jobs) >= 2:
            self._start()

    def __enter__(self) -> ChartFarm:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> None:
        import fcntl
        import tempfile

        # imported once, before the fork, rather than in both processes: scipy.stats
        # (the statistics here, the intervals of some charts there) and the statsmodels
        # models whose fitted results the mediation chart's pickled input refers to
        import statsmodels.discrete.discrete_model
        import statsmodels.regression.linear_model  # noqa: F401

        from ..stats import rates  # noqa: F401

        # the charts' pickled inputs go to a file (the pipe carries only where they are,
        # so this process never waits for the child to read), their SVGs come back in
        # another (appended by the child and its helper, one write per record)
        inputs, results = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        fd = results.fileno()
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_APPEND)
        read_end, write_end = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child (coverage does not follow it)
            try:
                os.close(write_end)
                _quiet_child()
                _serve(read_end, inputs.fileno(), fd)
            finally:
                os._exit(0)
        os.close(read_end)
        self._pid, self._jobs_fd = pid, write_end
        self._inputs, self._results = inputs, results

    def _send(self, message: tuple[Any, ...]) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            os.write(self._jobs_fd, len(data).to_bytes(8, "little"))
            view = memoryview(data)
            while view:
                view = view[os.write(self._jobs_fd, view) :]
        except OSError:  # the child has gone: its charts are rendered here
            self._stop()

    def _key(self, name: str, draw: Callable[[], Any]) -> tuple[tuple[str, bytes] | None, bytes]:
        """A chart's identity (its name and the digest of its pickled draw function) and
        the pickle; ``(None, b"")`` for a draw that cannot be pickled or is too large."""
        known = self._keys.get((id(draw), name))
        if known is not None and known[0] is draw:
            return known[1], b""
        try:
            payload = pickle.dumps(draw, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # a lambda or a local function: rendered here, at the end
            payload = b""
        key = (name, hashlib.sha256(payload).digest()) if payload else None
        if len(payload) > _MAX_INPUT:  # the inputs of a very large cohort: drawn here
            key, payload = None, b""
        self._keys[id(draw), name] = (draw, key)  # keeps draw alive: its id stays its own
        return key, payload

    def submit(self, name: str, draw: Callable[[], Any]) -> None:
        """Have the child render ``draw`` (a no-op with one process, for a draw function
        that cannot be pickled or whose inputs are very large, or for a chart already
        sent)."""
        if not self._pid:
            return
        key, payload = self._key(name, draw)
        if key is None or key in self._sent:
            return
        if not payload:  # known by its id and pickled for another name: pickle it again
            payload = pickle.dumps(draw, protocol=pickle.HIGHEST_PROTOCOL)
        offset = self._inputs_end
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(self._inputs.fileno(), view) :]
        except OSError:  # no room for it: drawn here
            return
        self._inputs_end += len(payload)
        self._sent[key] = len(self._sent)
        self._send(("job", self._sent[key], name, offset, len(payload)))
        # a chart defined again with other inputs: the earlier one is no longer wanted
        # (were a later build to come back to it, this process would render it)
        earlier = self._latest.get(name)
        if earlier is not None:
            self._send(("skip", [earlier]))
        self._latest[name] = self._sent[key]

    def collect(self, charts: Sequence[tuple[str, str, Callable[[], Any]]]) -> dict[str, Block]:
        """Each chart's block by name: rendered by the child when it was sent with the same
        inputs, otherwise here."""
        charts = list(charts)
        wanted: dict[str, int] = {}
        if self._pid:
            for name, _, draw in charts:
                key, _ = self._key(name, draw)
                job = None if key is None else self._sent.get(key)
                if job is not None:
                    wanted[name] = job
            obsolete = sorted(set(self._sent.values()) - set(wanted.values()))
            self._send(("skip", obsolete))
            self._send(("end",))
        # the charts the child was not given are rendered here while it works
        blocks: dict[str, Block] = {
            name: _render_one(name, caption, draw)
            for name, caption, draw in charts
            if name not in wanted
        }
        done = self._finish() if wanted else {}
        for name, caption, draw in charts:
            if name in blocks:
                continue
            found = done.get(wanted[name])
            blocks[name] = (
                _block(name, caption, draw, *found) if found else _render_one(name, caption, draw)
            )
        self.close()
        return {name: blocks[name] for name, _, _ in charts}

    def _finish(self) -> dict[int, tuple[str, str]]:
        """Wait for the child; the charts it rendered, by job number."""
        if not self._pid:
            return {}
        os.close(self._jobs_fd)
        self._jobs_fd = -1
        os.waitpid(self._pid, 0)
        self._pid = 0
        done: dict[int, tuple[str, str]] = {}
        self._results.seek(0)
        data = self._results.read()
        at = 0
        while at + 8 <= len(data):
            size = int.from_bytes(data[at : at + 8], "little")
            if at + 8 + size > len(data):
                break  # a record the child did not finish
            job, kind, text = pickle.loads(data[at + 8 : at + 8 + size])
            done[job] = (kind, text)
            at += 8 + size
        return done

    def _stop(self) -> None:
        if self._pid:
            import signal

            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self._pid, 0)
            self._pid = 0

    def close(self) -> None:
        """End the child (if it still runs) and free its files."""
        self._stop()
        if self._jobs_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._jobs_fd)
            self._jobs_fd = -1
        for file in (self._results, self._inputs):
            if file is not None:
                file.close()
        self._results = self._inputs = None
        self._keys.clear()


class _Inbox:
    """The child's end of the job pipe: length-prefixed pickled messages, read without
    a thread (a thread would make the child's fork unsafe)."""

    def __init__(self, fd: int) -> None:
        self.fd, self.buffer, self.closed = fd, bytearray(), False
        self.messages: list[tuple[Any, ...]] = []

    def pump(self, *, wait: bool) -> None:
        """Read what has arrived (with ``wait``, block until something does)."""
        import select

        while not self.closed:
            ready, _, _ = select.select([self.fd], [], [], None if wait else 0)
            if not ready:
                break
            data = os.read(self.fd, 1 << 20)
            if not data:
                self.closed = True
                break
            self.buffer += data
            wait = False
        while len(self.buffer) >= 8:
            size = int.from_bytes(self.buffer[:8], "little")
            if len(self.buffer) < 8 + size:
                break
            self.messages.append(pickle.loads(bytes(self.buffer[8 : 8 + size])))
            del self.buffer[: 8 + size]


def _serve(jobs_fd: int, inputs_fd: int, results_fd: int) -> None:  # pragma: no cover
    """The child's loop: take the jobs that have arrived, render the latest, skip the
    obsolete ones, append each result to ``results_fd`` (length-prefixed pickles, one
    ``write`` each on a file opened for appending).  When the parent has sent its last
    message and waits, the remaining jobs are split with a forked helper, so that both
    cores render."""
    _warm_up()
    inbox = _Inbox(jobs_fd)
    waiting: dict[int, tuple[str, int, int]] = {}
    skipped: set[int] = set()
    ended = False
    while True:
        inbox.pump(wait=not waiting and not ended)
        for message in inbox.messages:
            if message[0] == "job":
                waiting[message[1]] = (message[2], message[3], message[4])
            elif message[0] == "skip":
                skipped.update(message[1])
            elif message[0] == "end":
                ended = True
        inbox.messages.clear()
        ended = ended or inbox.closed
        for job in skipped.intersection(waiting):
            del waiting[job]
        if ended:
            break
        if waiting:  # the latest first: a rebuild redefines a build's charts in order,
            # so the earliest are the likeliest to be redefined (and skipped) unrendered
            _render_job(max(waiting), *waiting.pop(max(waiting)), inputs_fd, results_fd)
    # the parent is waiting: render what is left on both cores
    jobs = sorted(waiting)
    half = len(jobs) // 2
    helper = os.fork() if half and _jobs() >= 2 else -1
    mine = jobs[half:] if helper == 0 else jobs[:half] if helper > 0 else jobs
    try:
        for job in mine:
            _render_job(job, *waiting[job], inputs_fd, results_fd)
    finally:
        if helper == 0:
            os._exit(0)
    if helper > 0:
        os.waitpid(helper, 0)


def _render_job(  # pragma: no cover - runs in the child
    job: int, name: str, offset: int, size: int, inputs_fd: int, results_fd: int
) -> None:
    try:
        parts, at = [], offset
        while at < offset + size:
            part = os.pread(inputs_fd, offset + size - at, at)
            if not part:
                raise EOFError
            parts.append(part)
            at += len(part)
        record = (job, *_rendered(name, pickle.loads(b"".join(parts))))
    except BaseException:  # the parent renders it again and meets the error there
        return
    data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
    os.write(results_fd, len(data).to_bytes(8, "little") + data)


def _warm_up() -> None:  # pragma: no cover - runs in the child
    """Import what the charts need (matplotlib) before the first chart arrives."""
    import matplotlib.pyplot  # noqa: F401

    from .. import plot  # noqa: F401


def render_charts(charts: Sequence[tuple[str, str, Callable[[], Any]]]) -> dict[str, Block]:
    """Draw and render ``(name, caption, draw)`` charts in this process; return each
    chart's block by name."""
    return {name: _render_one(name, caption, draw) for name, caption, draw in charts}
