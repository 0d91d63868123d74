"""Notebook helpers: typed DataFrames, plots written to PNG, the extras' absence, and the tutorial run in a kernel."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from html import escape as html_escape
from pathlib import Path

import attrs
import pytest

import eurasia_events as ee
from eurasia_events import notebook
from eurasia_events.notebook import agreement_intervals, plot_timeline, project_intervals

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial.ipynb"


@pytest.fixture(scope="module")
def log() -> ee.Log:
    return ee.load()


def test_to_pandas_dtypes(log: ee.Log) -> None:
    """Whole days become datetimes; quantities a float column plus a unit column; spans stay text."""
    pytest.importorskip("pandas")
    df = log.series("gas", "2018-01-01", "2021-01-01").to_pandas()
    assert df["day"].dtype.kind == "M"  # datetime64 (ns or us, by pandas version)
    assert str(df["value"].dtype) == "float64"
    assert df["value"].iloc[-1] == 38.0
    assert df["value_unit"].iloc[-1] == "bcm/yr"
    agreements = log.as_of("2020-01-01").agreements().to_pandas()
    assert str(agreements["certain"].dtype) == "bool"
    assert str(agreements["annual_volume"].dtype) == "float64"
    assert list(agreements.columns).index("annual_volume_unit") == list(agreements.columns).index("annual_volume") + 1
    timeline = log.timeline().to_pandas()
    assert set(timeline["date"]) >= {"2014-05"}  # a partial date is not turned into a day


def test_timeline_to_pandas_has_earliest_and_latest(log: ee.Log) -> None:
    """timeline().to_pandas() has datetime earliest/latest columns: a month spans its days, an open end is NaT."""
    pd = pytest.importorskip("pandas")
    df = log.timeline().to_pandas()
    assert df["earliest"].dtype.kind == "M"
    assert df["latest"].dtype.kind == "M"
    assert list(df.columns)[1:3] == ["earliest", "latest"]
    month = df[df["date"] == "2014-05"].iloc[0]
    assert (month["earliest"], month["latest"]) == (pd.Timestamp("2014-05-01"), pd.Timestamp("2014-05-31"))
    open_start = df[df["date"].str.startswith("../")].iloc[0]
    assert pd.isna(open_start["earliest"])
    assert open_start["latest"] == pd.Timestamp(open_start["date"][3:7] + "-12-31")
    day = df[df["id"] == "2014-05-21-pos-gas-contract"].iloc[0]
    assert day["earliest"] == day["latest"] == pd.Timestamp("2014-05-21")


def test_view_html_limits_rows_and_keeps_totals(log: ee.Log) -> None:
    """A view's notebook HTML shows the first rows, counts the rest, and keeps the totals line."""
    timeline = log.timeline()
    page = timeline._repr_html_()
    assert page.count("<tr>") == 1 + notebook.MAX_ROWS
    assert f"and {len(timeline) - notebook.MAX_ROWS} more rows ({len(timeline)} in all" in page
    assert len(page) < 12_000  # it was 84 kB with every row
    volumes = log.as_of("2020-01-01").volumes("pipeline_gas")
    assert volumes.totals
    html = volumes._repr_html_()
    for name, total in volumes.totals.items():
        assert f"total {name}: {total}" in html
    small = log.as_of("2020-01-01").supply()._repr_html_()
    assert "more rows" not in small
    assert small.count("<tr>") == 1 + len(log.as_of("2020-01-01").supply())
    escaped = notebook.view_html(_escaped_view())
    assert "<td>&lt;b&gt;bold?&lt;/b&gt;</td>" in escaped
    assert "<b>&lt;i&gt;t&lt;/i&gt;</b>" in escaped


def _escaped_view() -> ee.View[object]:
    @attrs.frozen
    class Row:
        a: str

    return ee.View("x", (Row("<b>bold?</b>"),), ("a",), title="<i>t</i>")


def test_log_state_and_event_display_as_html(log: ee.Log) -> None:
    """Log, State and Event each have an HTML display: counts, the day and summary, the fields and quotes."""
    page = log._repr_html_()
    assert f"{len(log)} records, {len(log.events())} events" in page
    assert log.head[:16] in page
    assert f"and {len(log) - 10} more records" in page
    state = log.as_of("2020-01-01", known_at="2025-01-01")
    page = state._repr_html_()
    assert page.startswith("<p><b>State as of 2020-01-01</b> as known at ")
    assert state.summary().title in page
    assert page.count("<tr>") == 1 + len(state.summary())
    event = log.get("2014-05-21-pos-gas-contract")
    page = event._repr_html_()
    assert page.startswith(f"<p><b>{html_escape(event.title)}</b>")
    assert "<td>happened</td>" in page  # the status's value, not its enum name
    assert f"<blockquote>{html_escape(' '.join(event.sources[0].quote.split()))}</blockquote>" in page


def test_plot_timeline_writes_a_png(log: ee.Log, tmp_path: Path) -> None:
    """plot_timeline returns a Figure that saves as a non-empty PNG, with uncertain spans hatched."""
    pytest.importorskip("matplotlib")
    fig = plot_timeline(log, as_of="2024-01-01")
    path = tmp_path / "timeline.png"
    fig.savefig(path, dpi=60)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 10_000
    hatches = {c.get_hatch() for c in fig.axes[0].collections}
    assert "///" in hatches
    assert None in hatches


def test_plot_timeline_needs_a_day_for_a_log(log: ee.Log) -> None:
    """Nothing defaults to today: a log without as_of is refused."""
    pytest.importorskip("matplotlib")
    with pytest.raises(TypeError, match="as_of"):
        plot_timeline(log)


def test_series_plot_writes_a_png(log: ee.Log, tmp_path: Path) -> None:
    """series(...).plot() draws the measure with its unit on the y axis."""
    pytest.importorskip("matplotlib")
    fig = log.series("gas", "2010-01-01", "2030-01-01").plot()
    assert fig.axes[0].get_ylabel() == "bcm/yr"
    fig.savefig(tmp_path / "gas.png", dpi=60)
    assert (tmp_path / "gas.png").stat().st_size > 5_000
    with pytest.raises(TypeError, match="series"):
        log.as_of("2020-01-01").members().plot()


def test_intervals(log: ee.Log) -> None:
    """Agreements in force and projects under construction have intervals that start before they end."""
    state = log.as_of("2024-01-01")
    agreements, projects = agreement_intervals(state), project_intervals(state)
    assert "gazprom-cnpc-eastern-2014" in agreements
    assert "power-of-siberia" in projects
    for begin, end, _ in (*agreements.values(), *projects.values()):
        assert begin[0] <= begin[1]
        assert begin[0] <= state.day.toordinal()
        assert begin[0] <= end[0] <= end[1]


def test_intervals_span_every_record_that_may_stand(memory_log: ee.Log) -> None:
    """A treaty in force by one record on 2010-06-01 and by another some day of 2010, ended by
    one on 2012-02-01 and by another some day of 2012: its bar runs from some day of 2010 to
    some day of 2012, as its row says, not from the records the fold met last."""
    cite = [{"source": "seed-004", "quote": "q"}]
    memory_log.append([
        ee.TreatySigned(id="s", date="2009-01-01", title="s", sources=cite, agreement="t", term="10 years"),
        ee.EnteredIntoForce(id="f1", date="2010", title="f1", sources=cite, agreement="t"),
        ee.EnteredIntoForce(id="f2", date="2010-06-01", title="f2", sources=cite, agreement="t"),
        ee.AgreementEnded(id="e1", date="2012-02-01", title="e1", sources=cite, agreement="t", reason="terminated"),
        ee.AgreementEnded(id="e2", date="2012", title="e2", sources=cite, agreement="t", reason="suspended")])
    state = memory_log.as_of("2013-06-01")
    begin, end, still = agreement_intervals(state)["t"]
    year = lambda y: (dt.date(y, 1, 1).toordinal(), dt.date(y, 12, 31).toordinal())  # noqa: E731
    assert (begin, end, still) == (year(2010), year(2012), False)
    assert state.agreements().get(agreement="t").in_force_from == "2010-01-01..2010-12-31"


BLOCKED = textwrap.dedent("""
    import importlib.abc, sys

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("pandas", "matplotlib"):
                raise ImportError(f"No module named {name!r} (blocked by the test)")
            return None

    sys.meta_path.insert(0, Block())
""")


def test_core_works_without_the_extras() -> None:
    """With pandas and matplotlib unimportable the package loads and answers; the extras fail naming the extra."""
    script = BLOCKED + textwrap.dedent("""
        import eurasia_events as ee
        from eurasia_events import notebook, cli  # the helper modules themselves import fine
        log = ee.load()
        assert "power-of-siberia" in str(log.as_of("2020-01-01").summary())
        for call, extra in ((lambda: log.timeline().to_pandas(), "[pandas]"),
                            (lambda: notebook.plot_timeline(log, as_of="2020-01-01"), "[plot]"),
                            (lambda: log.series("gas", "2019-01-01", "2020-01-01").plot(), "[plot]")):
            try:
                call()
            except ee.MissingExtraError as error:
                assert isinstance(error, ImportError)
                assert f"eurasia-events{extra}" in str(error), str(error)
            else:
                raise AssertionError("no MissingExtraError")
        assert not any(m.split(".")[0] in ("pandas", "matplotlib") for m in sys.modules)
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_tutorial_notebook_runs_in_a_kernel() -> None:
    """docs/tutorial.ipynb executes top to bottom in a real Jupyter kernel without a cell error."""
    nbformat = pytest.importorskip("nbformat", reason="nbformat is missing: pip install -e '.[test]'")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is missing: pip install -e '.[test]'")
    notebook = nbformat.read(TUTORIAL, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(TUTORIAL.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the plots rendered no image"
    assert any("text/html" in o.get("data", {}) for o in outputs), "the views rendered no HTML table"
    assert any("application/vnd.plotly.v1+json" in o.get("data", {}) for o in outputs), \
        "the interactive timeline rendered no plotly figure"
