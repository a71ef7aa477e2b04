"""Charts for paper: vl-convert's SVG slimmed without changing the drawing, and kept on disk by content."""

import re
import xml.etree.ElementTree as ET

import pytest

from osservatorio.reports import charts

NS = "{http://www.w3.org/2000/svg}"


def _spec():
    rows = [
        {"code": f"{i:06d}", "name": f"Comune {i}", "value": 10.0 + i, "low": 9.0 + i, "high": 11.5 + i}
        for i in range(12)
    ]
    return charts.ranked_bars(
        rows,
        highlight=["000003"],
        unit="%",
        benchmark={"name": "Ambito", "value": 15.0},
        width=360,
        bar_height=6,
    )


def _abs_lines(root) -> list[tuple[float, float, float, float]]:
    """Every <line> as absolute (x1, y1, x2, y2), applying the translate() of the line and its groups."""
    out = []

    def walk(el, ox, oy):
        m = re.match(r"translate\(([-\d.e]+)[ ,]+([-\d.e]+)\)$", el.get("transform", ""))
        if m:
            ox, oy = ox + float(m.group(1)), oy + float(m.group(2))
        if el.tag == NS + "line":
            out.append(
                tuple(
                    round(v, 1)
                    for v in (
                        ox + float(el.get("x1", 0)),
                        oy + float(el.get("y1", 0)),
                        ox + float(el.get("x2", 0)),
                        oy + float(el.get("y2", 0)),
                    )
                )
            )
        for child in el:
            walk(child, ox, oy)

    walk(root, 0.0, 0.0)
    return sorted(out)


def test_slim_svg_keeps_every_mark_and_label_and_drops_web_only_nodes():
    import vl_convert as vlc

    original = vlc.vegalite_to_svg(_spec())
    slim = charts.slim_svg(original)
    a, b = ET.fromstring(original), ET.fromstring(slim)  # noqa: S314 - our own output
    texts = lambda root: [t.text for t in root.iter(NS + "text")]  # noqa: E731
    assert texts(b) == texts(a) and "Comune 3" in " ".join(texts(b))
    assert _abs_lines(b) == _abs_lines(a)  # same lines (axis, intervals, benchmark) in the same places
    painted = lambda root: [  # noqa: E731
        p.get("fill") for p in root.iter(NS + "path") if p.get("fill") or p.get("stroke")
    ]
    assert painted(b) == painted(a)  # every bar, same colours
    assert "aria-" not in slim and 'display="none"' not in slim
    assert len(slim) < 0.8 * len(original)
    assert sum(1 for _ in b.iter()) < sum(1 for _ in a.iter())


def test_charts_are_converted_once_and_kept_on_disk(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    charts._svg.cache_clear()
    spec = _spec()
    svg = charts.to_svg(spec)
    files = list((tmp_path / "cache" / "report-charts").rglob("*.svg"))
    assert len(files) == 1 and files[0].read_text(encoding="utf-8") == svg
    # A new process (empty memory cache) reads the file instead of converting again.
    files[0].write_text(svg.replace("Comune 3", "Comune tre"), encoding="utf-8")
    charts._svg.cache_clear()
    assert "Comune tre" in charts.to_svg(spec)
    # Different data is a different chart.
    spec["data"]["values"][0]["value"] = 99.0
    charts._svg.cache_clear()
    assert "Comune tre" not in charts.to_svg(spec)
    assert len(list((tmp_path / "cache" / "report-charts").rglob("*.svg"))) == 2
    charts._svg.cache_clear()


@pytest.mark.parametrize("kind", ["time_series", "covid_baseline"])
def test_slim_svg_of_other_charts_is_valid_svg(kind):
    import vl_convert as vlc

    if kind == "time_series":
        spec = charts.time_series(
            [{"series": "A", "year": y, "value": float(y - 2000)} for y in range(2015, 2024)],
            width=400,
            height=200,
        )
    else:
        spec = charts.covid_baseline(
            [{"year": y, "value": float(y - 2000)} for y in range(2012, 2023)],
            [{"year": 2021, "expected": 20.0, "low": 19.0, "high": 21.0, "significant": True}],
            width=400,
            height=200,
        )
    original = vlc.vegalite_to_svg(spec)
    slim = charts.slim_svg(original)
    root = ET.fromstring(slim)  # noqa: S314 - our own output
    assert root.tag == NS + "svg" and root.get("viewBox") == ET.fromstring(original).get("viewBox")  # noqa: S314
    assert [t.text for t in root.iter(NS + "text")] == [
        t.text
        for t in ET.fromstring(original).iter(NS + "text")  # noqa: S314
    ]
