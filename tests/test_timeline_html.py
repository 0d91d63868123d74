"""The interactive timeline: the plotly figure, the offline HTML page, and the page in a real headless Chromium."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import eurasia_events as ee
from eurasia_events.cli import main

plotly = pytest.importorskip("plotly", reason="plotly is missing: pip install -e '.[test]'")

from eurasia_events.timeline_html import event_ids, timeline_figure  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def log() -> ee.Log:
    return ee.load()


def _items(fig: Any) -> dict[str, tuple[str, Any, Any]]:
    """Event id -> (trace shape, x, base) for every item drawn."""
    out = {}
    for trace in fig.data:
        if trace.meta["shape"] == "band":
            continue
        bases = trace.base if trace.type == "bar" else [None] * len(trace.x)
        for row, x, base in zip(trace.customdata, trace.x, bases, strict=True):
            out[row[0]] = (trace.meta["shape"], x, base)
    return out


def test_figure_has_one_item_per_event_in_range(log: ee.Log) -> None:
    """The figure draws exactly the events log.timeline returns for the same period."""
    fig = timeline_figure(log, start="2014-01-01", end="2016-12-31")
    expected = [row.id for row in log.timeline(start="2014-01-01", end="2016-12-31")]
    assert sorted(event_ids(fig)) == sorted(expected)
    assert len(set(event_ids(fig))) == len(expected) > 20
    assert len(event_ids(timeline_figure(log))) == len(log.events())


def test_points_bars_and_possible_ranges(log: ee.Log) -> None:
    """A day is a point, a month is a pale bar over its 31 days, an interval of days a solid bar."""
    items = _items(timeline_figure(log))
    assert items["2014-05-21-pos-gas-contract"] == ("day", "2014-05-21", None)
    month = next(e for e in log.events() if str(e.date) == "2014-05" or str(e.date) == "2013-03?")
    shape, width, base = items[month.id]
    assert shape == "possible"
    assert base == month.date.earliest.isoformat()
    assert width == (month.date.latest_ordinal - month.date.earliest_ordinal + 1) * 86_400_000
    assert items["2017-05-bri-forum-1"][0] == "span"  # 2017-05-14/2017-05-15
    assert items["2017-05-bri-forum-1"][1] == 2 * 86_400_000
    assert items["2013-space-cooperation-outline-2013-2017"][0] == "possible"  # ../2013: clipped, not year 1


def test_hover_has_title_date_source_and_quote(log: ee.Log) -> None:
    """Each item's hover names the event's title, date, source title and (part of) its quote."""
    fig = timeline_figure(log, start="2014-05-01", end="2014-05-31")
    hovers = {row[0]: row[1] for trace in fig.data if trace.meta["shape"] != "band" for row in trace.customdata}
    event = log.get("2014-05-21-pos-gas-contract")
    hover = hovers[event.id]
    source = log.sources.get(event.sources[0].source)
    assert event.title.split()[0] in hover
    assert "2014-05-21" in hover
    assert source is not None
    assert source.title.split()[0] in hover
    assert " ".join(event.sources[0].quote.split()[:4]) in hover.replace("<br>", " ")


def test_lanes_sanctions_bands_and_menus(log: ee.Log) -> None:
    """Lanes follow the agreement (or the actor), sanctions are background bands, menus filter type and party."""
    fig = timeline_figure(log)
    lanes = list(fig.layout.yaxis.categoryarray)
    assert "power-of-siberia" in lanes or "gazprom-cnpc-eastern-2014" in lanes
    assert len(fig.layout.shapes) >= 2
    assert all(shape.layer == "below" for shape in fig.layout.shapes)
    assert any("sanctions by" in (trace.name or "") for trace in fig.data)
    type_menu, party_menu = fig.layout.updatemenus
    assert {b.label for b in type_menu.buttons} >= {"all types", "meeting", "sanctions imposed"}
    gazprom = next(b for b in party_menu.buttons if b.label.startswith("Gazprom"))
    kept = sum(x is not None for xs in gazprom.args[0]["x"] for x in xs)
    assert kept == sum("gazprom" in e.parties for e in log.events()) > 5
    actor_lanes = timeline_figure(log, lanes="actor").layout.yaxis.categoryarray
    assert "Gazprom" in actor_lanes
    with pytest.raises(ee.EurasiaEventsError, match="lanes"):
        timeline_figure(log, lanes="colour")


def test_export_html_is_self_contained(tmp_path: Path) -> None:
    """export --format html writes one page that embeds plotly.js and loads nothing from elsewhere."""
    out = tmp_path / "timeline.html"
    assert main(["export", "--format", "html", "--output", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.lower().startswith(("<!doctype html>", "<html>"))
    assert len(page) > 3_000_000  # plotly.js is in it
    assert "<script src=" not in page
    assert "<link" not in page
    assert "plotly.js v" in page


def test_core_import_does_not_load_plotly() -> None:
    """Importing the package, the CLI and the export module leaves plotly unloaded."""
    code = ("import sys, eurasia_events, eurasia_events.cli, eurasia_events.export, eurasia_events.timeline_html;"
            "print(any(m.split('.')[0] == 'plotly' for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "False"


def test_without_plotly_the_error_names_the_extra() -> None:
    """With plotly unimportable, the timeline raises MissingExtraError naming the timeline extra."""
    code = textwrap.dedent("""
        import sys
        sys.modules["plotly"] = None  # import plotly now raises ImportError
        import eurasia_events as ee
        from eurasia_events.timeline_html import timeline_figure
        try:
            timeline_figure(ee.load())
        except ee.MissingExtraError as error:
            print(error)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert "pip install 'eurasia-events[timeline]'" in result.stdout


# --- a real browser --------------------------------------------------------------------------


class DevTools:
    """A minimal Chrome DevTools Protocol client over one websocket (flattened target sessions)."""

    def __init__(self, url: str) -> None:
        import websocket  # websocket-client, from the test extra

        self.ws = websocket.create_connection(url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def wait_for(self, method: str, deadline: float) -> dict[str, Any]:
        while time.monotonic() < deadline:
            for event in self.events:
                if event.get("method") == method:
                    return event
            self.events.append(json.loads(self.ws.recv()))
        raise TimeoutError(f"no {method} from the browser")

    def evaluate(self, session: str, expression: str) -> Any:
        result = self.send("Runtime.evaluate", session, expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    if CHROMIUM is None:
        message = "Chromium is not installed (apt-get install -y chromium): the browser test cannot run"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; CI must run it")
        pytest.skip(message)
    pytest.importorskip("websocket", reason="websocket-client is missing: pip install -e '.[test]'")
    profile = tmp_path_factory.mktemp("chromium-profile")
    stderr = (profile.parent / "chromium.stderr").open("wb")
    process = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio", "--window-size=1400,1000",
         # Every host name fails to resolve: a request the page makes is seen (and fails the
         # test), never sent.
         "--host-resolver-rules=MAP * ~NOTFOUND",
         f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not port_file.exists() or len(port_file.read_text().splitlines()) < 2:
            if process.poll() is not None or time.monotonic() > deadline:
                stderr.flush()
                log = (profile.parent / "chromium.stderr").read_text(errors="replace")[-2000:]
                pytest.fail(f"Chromium did not start (exit {process.poll()}): {log}")
            time.sleep(0.1)
        port, path = port_file.read_text().splitlines()[:2]
        client = DevTools(f"ws://127.0.0.1:{port}{path}")
        yield client
        client.ws.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        stderr.close()


def _distinct_colours(png: bytes) -> int:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    return len(colours or [])


def _click(browser: DevTools, session: str, element: str) -> None:
    """A real mouse click (pressed and released) at the middle of the element the JavaScript names."""
    box = browser.evaluate(session, f"(() => {{ const r = ({element}).getBoundingClientRect();"
                                    " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        browser.send("Input.dispatchMouseEvent", session, type=kind, x=box[0], y=box[1], button="left", clickCount=1)


def _choose(browser: DevTools, session: str, menu: int, label: str) -> None:
    """Open one of the figure's drop-down menus and click the entry whose label starts with ``label``."""
    _click(browser, session, f"document.querySelectorAll('.updatemenu-header')[{menu}]")
    entry = ("[...document.querySelectorAll('.updatemenu-dropdown-button')]"
             f".find(b => b.textContent.startsWith({json.dumps(label)}))")
    deadline = time.monotonic() + 30
    while not browser.evaluate(session, f"Boolean({entry})"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"menu {menu} has no entry {label!r}")
        time.sleep(0.1)
    _click(browser, session, entry)
    # plotly.js redraws asynchronously: wait until the menu has closed and the plot is idle.
    while browser.evaluate(session, "document.querySelectorAll('.updatemenu-dropdown-button').length") > 0:
        if time.monotonic() > deadline:
            raise TimeoutError(f"menu {menu} did not close")
        time.sleep(0.1)
    browser.evaluate(session, "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def test_page_in_headless_chromium(browser: DevTools, log: ee.Log, tmp_path: Path) -> None:
    """The exported page loads in Chromium with no console error and no network request, draws one
    item per event, filters by party, and its screenshot is not blank."""
    page = tmp_path / "timeline.html"
    assert main(["export", "--format", "html", "--output", str(page)]) == 0
    target = browser.send("Target.createTarget", url="about:blank")["targetId"]
    session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    for domain in ("Page", "Runtime", "Network", "Log"):
        browser.send(f"{domain}.enable", session)
    browser.send("Emulation.setDeviceMetricsOverride", session, width=1400, height=1000, deviceScaleFactor=1,
                 mobile=False)
    browser.events.clear()
    browser.send("Page.navigate", session, url=page.as_uri())
    deadline = time.monotonic() + 120
    browser.wait_for("Page.loadEventFired", deadline)
    # Every request so far (the page and whatever it asked for) is local.
    requests = [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
    assert [url for url in requests if not url.startswith(("file://", "data:"))] == []
    count_drawn = "document.querySelectorAll('.js-plotly-plot .point').length"
    expected = len(log.timeline())
    drawn = 0
    while time.monotonic() < deadline and drawn != expected:
        drawn = browser.evaluate(session, count_drawn)
        if drawn != expected:
            time.sleep(0.2)
    assert drawn == expected
    in_figure = browser.evaluate(session, "[...document.querySelector('.js-plotly-plot').data]"
                                          ".filter(t => t.meta.shape !== 'band')"
                                          ".reduce((n, t) => n + t.customdata.length, 0)")
    assert in_figure == expected
    # Real clicks on the menus: Gazprom's events, then only its meetings... then all again.
    gazprom = [e for e in log.events() if "gazprom" in e.parties]
    _choose(browser, session, 1, "Gazprom")
    assert browser.evaluate(session, count_drawn) == len(gazprom)
    _choose(browser, session, 0, "supply contract")
    assert browser.evaluate(session, count_drawn) == sum(e.TYPE == "supply_contract" for e in gazprom) > 0
    _choose(browser, session, 0, "all types")
    _choose(browser, session, 1, "all parties")
    assert browser.evaluate(session, count_drawn) == expected
    png = base64.b64decode(browser.send("Page.captureScreenshot", session, format="png")["data"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert _distinct_colours(png) > 20

    requests = [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
    assert requests, "the browser reported no request at all: the network log is not working"
    assert [url for url in requests if not url.startswith(("file://", "data:"))] == []
    errors = [e["params"] for e in browser.events
              if (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert"))
              or e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")]
    assert errors == []
    browser.send("Target.closeTarget", targetId=target)


def test_an_open_date_cell_reaches_to_the_last_day() -> None:
    """A view's "2015-01-31.." (some day from then on, or never: a renewal with no end date in
    an open order) runs to the end of time; "A..B" and partial dates keep their own last day."""
    from eurasia_events.dates import MAX_ORDINAL
    from eurasia_events.timeline_html import _span

    first = dt.date(2015, 1, 31).toordinal()
    assert _span("2015-01-31..") == (first, MAX_ORDINAL)
    assert _span("2015-01-31..2016-01-31") == (first, dt.date(2016, 1, 31).toordinal())
    assert _span("2015-01") == (dt.date(2015, 1, 1).toordinal(), first)
