"""The impact review's charts (SPEC §7): bilingual Vega-Lite specs rendered offline to SVG and PNG."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from domain.impact import ImpactFigures
from reports.charts import ChartRenderError, hours_by_department_chart, impact_charts, render, to_png

# A phrase each chart must show in each language: its title, and a label drawn from the figures.
EXPECTED = {
    "pass_rate_by_category": ("Pass rate by category", "各類別通過率", "校外計畫", "Pass rate"),
    "indicators": ("Indicators planned and reported", "大學社會責任", "Problem solving", "成果報告呈現"),
    "hours_by_department": ("Execution hours by department", "電機工程系", "Civil Engineering", "時數"),
    "funnel": ("From proposal to pass", "提交成果報告", "Supervisor confirmed", "計畫數"),
    "semester_trend": ("Semester by semester", "授予學分", "2026-spring", "學期"),
}


@pytest.fixture(scope="module")
def svgs(figures: ImpactFigures) -> dict[str, str]:
    return {name: svg.decode() for name, svg in render(impact_charts(figures), "svg").items()}


def test_every_chart_renders_to_svg_with_english_and_chinese_text(svgs: dict[str, str]) -> None:
    """SPEC §7: charts of the review, with bilingual titles, axes and labels drawn as text."""
    assert set(svgs) == set(EXPECTED)
    for name, phrases in EXPECTED.items():
        assert svgs[name].startswith("<svg")
        for phrase in phrases:
            assert phrase in svgs[name], (name, phrase)
        assert 'font-family="Noto Sans TC"' in svgs[name], name


def test_a_chart_renders_to_a_png_that_decodes(figures: ImpactFigures) -> None:
    """SPEC §7: the PNG the report embeds is a real image at twice the spec's size."""
    spec = hours_by_department_chart(figures)
    image = Image.open(io.BytesIO(to_png(spec)))
    image.load()
    assert image.format == "PNG" and image.width > 2 * spec["width"]


def test_small_groups_are_left_out_when_asked_and_the_chart_says_so(figures: ImpactFigures) -> None:
    """Privacy: with a threshold, a department of one student is not drawn, and the subtitle says why."""
    everyone = hours_by_department_chart(figures)["data"]["values"]
    published = hours_by_department_chart(figures, min_students=3)
    assert "Design" in {v["label"] for v in everyone}
    assert "Design" not in {v["label"] for v in published["data"]["values"]}
    assert "少於 3 名學生的組別不予顯示" in published["title"]["subtitle"]


def test_rendering_never_reaches_the_network(figures: ImpactFigures) -> None:
    """Offline: specs carry their data inline, and a spec asking for a URL is refused rather than fetched."""
    for spec in impact_charts(figures).values():
        assert "values" in spec["data"] and "url" not in spec["data"]
    with pytest.raises(ChartRenderError, match="not allowed"):
        render({"fetching": {"data": {"url": "https://example.org/data.csv"}, "mark": "bar"}}, "svg")
