"""The impact review's charts (SPEC §7) as Vega-Lite specs, rendered offline to SVG or PNG by vl-convert.

Each `*_chart` function is a pure function of the figures returning a Vega-Lite spec (a dict), so the
office's page can also hand the same spec to a browser. `render` (and `to_svg`, `to_png`) draw specs
here, with Noto Sans TC registered so the Chinese half of every label is drawn, and with no data URL
allowed: a spec carries its data inline and drawing never reaches the network.

Drawing runs in a child process (`reports.chart_process`), one per call. vl-convert embeds a JavaScript
engine (V8); loaded beside a Temporal client it broke that client's gRPC connection to the server
minutes later (HTTP/2 protocol errors and lost sleeps in the test suite, reproduced with nothing but a
few renders), and the API and workers hold such clients. Apart, it cannot, and V8's memory goes with the
child. A call costs a process start and the engine's warm-up (~1 s), so render a report's charts at once.

Axis titles and labels are bilingual, English above Traditional Chinese. With `min_students`, groups
drawn from fewer students are left out and the chart says so (see `reports.impact_pdf` for why).
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Mapping
from typing import Any, Literal

from domain.funnel import Funnel
from domain.impact import ImpactFigures, Tally
from domain.labels import FRAME_FIGURES, FRAME_ITEM, FUNNEL_STEPS, Label, label
from reports.fonts import FAMILY

Spec = dict[str, Any]

NO_SUPERVISOR = Label("No supervisor yet", "尚無指導老師")
PLANNED = Label("Planned (proposal)", "計畫書預定")
REPORTED = Label("Reported (closure report)", "成果報告呈現")
PROJECTS = Label("Projects", "計畫數")
PASSED = Label("Passed", "通過")
CREDITS = Label("Credits granted", "授予學分")
_COUNTS: Spec = {"tickMinStep": 1, "format": "d"}  # whole projects, never 0.5
_LEGEND: Spec = {"title": None, "orient": "bottom", "labelLimit": 0}
# Vega draws an array of strings as lines: the English line above the Chinese one.
_TWO_LINES = "split(datum.label, '\\n')"


def _lines(text: Label) -> str:
    return f"{text.en}\n{text.zh}"


def _shown(tally: Tally, min_students: int) -> bool:
    return not tally.suppressed(min_students)


def _spec(title: Label, min_students: int, body: Spec) -> Spec:
    heading: Spec = {"text": [title.en, title.zh], "anchor": "start"}
    if min_students > 1:
        heading["subtitle"] = [
            f"Groups of fewer than {min_students} students are not shown",
            f"少於 {min_students} 名學生的組別不予顯示",
        ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": heading,
        "config": {"font": FAMILY, "view": {"stroke": None}, "axis": {"labelFontSize": 11, "titleFontSize": 12}},
        "background": "white",
        **body,
    }


def _axis(title: Label, **extra: Any) -> Spec:
    return {"title": [title.en, title.zh], **extra}


def pass_rate_by_category_chart(figures: ImpactFigures, min_students: int = 0) -> Spec:
    """Pass rate (passed / decided) per R5 category, with passed/decided over each bar."""
    values = [
        {"label": _lines(label(row.key)), "rate": t.pass_rate, "note": f"{t.passed}/{t.decided}"}
        for row in figures.by_category
        for t in (row.tally,)
        if t.decided and _shown(t, min_students)
    ]
    category_axis = _axis(Label("Category", "類別"), labelExpr=_TWO_LINES, labelAngle=0)
    x = {"field": "label", "type": "nominal", "sort": None, "axis": category_axis}
    return _spec(
        Label("Pass rate by category", "各類別通過率"),
        min_students,
        {
            "data": {"values": values},
            "width": 520,
            "height": 240,
            "encoding": {"x": x},
            "layer": [
                {
                    "mark": {"type": "bar", "color": "#4c78a8"},
                    "encoding": {
                        "y": {
                            "field": "rate",
                            "type": "quantitative",
                            "scale": {"domain": [0, 1]},
                            "axis": _axis(Label("Pass rate", "通過率"), format="%"),
                        }
                    },
                },
                {
                    "mark": {"type": "text", "dy": -8},
                    "encoding": {"y": {"field": "rate", "type": "quantitative"}, "text": {"field": "note"}},
                },
            ],
        },
    )


def indicators_chart(figures: ImpactFigures, min_students: int = 0) -> Spec:
    """R7: projects per indicator as planned in proposals and as reported in closure reports, side by side."""
    values = []
    for row in figures.indicators.rows:
        if not _shown(row.planned, min_students):
            continue
        name = _lines(Label(row.en, row.zh))
        values.append({"label": name, "series": PLANNED.both(), "projects": row.planned.projects})
        values.append({"label": name, "series": REPORTED.both(), "projects": row.reported})
    kind = figures.indicators.kind
    return _spec(
        FRAME_FIGURES[kind],
        min_students,
        {
            "data": {"values": values},
            "mark": "bar",
            "width": 440,
            "height": {"step": 16},
            "encoding": {
                "y": {
                    "field": "label",
                    "type": "nominal",
                    "sort": None,
                    "axis": _axis(FRAME_ITEM[kind], labelExpr=_TWO_LINES),
                },
                "yOffset": {"field": "series", "sort": None},
                "x": {"field": "projects", "type": "quantitative", "axis": _axis(PROJECTS, **_COUNTS)},
                "color": {"field": "series", "sort": None, "legend": _LEGEND},
            },
        },
    )


def hours_by_department_chart(figures: ImpactFigures, min_students: int = 0) -> Spec:
    """R14/R15: counted execution hours served, per supervisor's department, largest first."""
    values = [
        {
            "label": row.key if row.key is not None else _lines(NO_SUPERVISOR),
            "hours": float(row.tally.execution_hours),
        }
        for row in figures.by_department
        if _shown(row.tally, min_students)
    ]
    return _spec(
        Label("Execution hours by department", "各系所執行時數"),
        min_students,
        {
            "data": {"values": values},
            "mark": {"type": "bar", "color": "#54a24b"},
            "width": 440,
            "height": {"step": 30},
            "encoding": {
                "y": {
                    "field": "label",
                    "type": "nominal",
                    "sort": "-x",
                    "axis": _axis(Label("Supervisor's department", "指導老師系所"), labelExpr=_TWO_LINES),
                },
                "x": {"field": "hours", "type": "quantitative", "axis": _axis(Label("Hours", "時數"))},
            },
        },
    )


def funnel_chart(funnel: Funnel) -> Spec:
    """Projects reaching each step, submitted to passed (the funnel is course-wide, never split by group)."""
    values = [{"label": _lines(FUNNEL_STEPS[step.step]), "projects": step.projects} for step in funnel.steps]
    y = {"field": "label", "type": "nominal", "sort": None, "axis": _axis(Label("Step", "階段"), labelExpr=_TWO_LINES)}
    return _spec(
        Label("From proposal to pass", "從計畫書到通過"),
        0,
        {
            "data": {"values": values},
            "width": 440,
            "height": {"step": 36},
            "encoding": {"y": y},
            "layer": [
                {
                    "mark": {"type": "bar", "color": "#f58518"},
                    "encoding": {
                        "x": {"field": "projects", "type": "quantitative", "axis": _axis(PROJECTS, **_COUNTS)}
                    },
                },
                {
                    "mark": {"type": "text", "align": "left", "dx": 4},
                    "encoding": {"x": {"field": "projects", "type": "quantitative"}, "text": {"field": "projects"}},
                },
            ],
        },
    )


def semester_trend_chart(figures: ImpactFigures, min_students: int = 0) -> Spec:
    """Across semesters: projects submitted (the cohort), of them passed, and credits granted in the semester."""
    values = []
    for point in figures.series:
        if not _shown(point.tally, min_students):
            continue
        for series, count in (
            (PROJECTS, point.tally.projects),
            (PASSED, point.tally.passed),
            (CREDITS, point.credits_granted),
        ):
            values.append({"semester": point.semester_id, "series": series.both(), "count": count})
    return _spec(
        Label("Semester by semester", "各學期趨勢"),
        min_students,
        {
            "data": {"values": values},
            "mark": {"type": "line", "point": True},
            "width": 520,
            "height": 240,
            "encoding": {
                "x": {
                    "field": "semester",
                    "type": "ordinal",
                    "sort": figures.semesters,
                    "axis": _axis(Label("Semester", "學期"), labelAngle=0),
                },
                "y": {"field": "count", "type": "quantitative", "axis": _axis(PROJECTS, **_COUNTS)},
                "color": {"field": "series", "sort": None, "legend": _LEGEND},
            },
        },
    )


def impact_charts(figures: ImpactFigures, min_students: int = 0) -> dict[str, Spec]:
    """Every chart of the review, by a stable name (also the file name an export would use)."""
    return {
        "pass_rate_by_category": pass_rate_by_category_chart(figures, min_students),
        "indicators": indicators_chart(figures, min_students),
        "hours_by_department": hours_by_department_chart(figures, min_students),
        "funnel": funnel_chart(figures.funnel),
        "semester_trend": semester_trend_chart(figures, min_students),
    }


RENDER_TIMEOUT_S = 120


class ChartRenderError(RuntimeError):
    """vl-convert refused a spec (or its process failed); the message is its own."""


def render(specs: Mapping[str, Spec], image: Literal["svg", "png"], scale: float = 2.0) -> dict[str, bytes]:
    """Draw every spec in one child process; PNGs at `scale` times the spec's size, SVGs as UTF-8."""
    request = json.dumps({"format": image, "scale": scale, "specs": dict(specs)}).encode()
    # The command is this interpreter and a module of this package; only the JSON on stdin varies.
    done = subprocess.run(
        [sys.executable, "-m", "reports.chart_process"],
        input=request,
        capture_output=True,
        timeout=RENDER_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise ChartRenderError(done.stderr.decode(errors="replace").strip() or f"exit status {done.returncode}")
    drawn: dict[str, str] = json.loads(done.stdout)
    return {name: base64.b64decode(data) for name, data in drawn.items()}


def to_svg(spec: Spec) -> str:
    return render({"chart": spec}, "svg")["chart"].decode()


def to_png(spec: Spec, scale: float = 2.0) -> bytes:
    """A PNG at `scale` times the spec's size (2 prints sharply on A4 at the width the report uses)."""
    return render({"chart": spec}, "png", scale)["chart"]
