"""The child process that draws charts: Vega-Lite specs in (JSON on stdin), SVG or PNG out (JSON on stdout).

Run by `reports.charts`, never imported by the service's processes: see there for why it runs apart.
"""

from __future__ import annotations

import base64
import json
import sys

import vl_convert

from reports.fonts import sans_path


def main() -> None:
    request = json.load(sys.stdin.buffer)
    vl_convert.register_font_directory(str(sans_path().parent))
    drawn: dict[str, str] = {}
    try:
        for name, spec in request["specs"].items():
            # No base URL is allowed: a spec's data is inline, and drawing never reaches the network.
            if request["format"] == "svg":
                data = str(vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])).encode()
            else:
                data = bytes(vl_convert.vegalite_to_png(spec, scale=request["scale"], allowed_base_urls=[]))
            drawn[name] = base64.b64encode(data).decode("ascii")
    except ValueError as refused:
        sys.stderr.write(str(refused))
        sys.exit(1)
    json.dump(drawn, sys.stdout)


if __name__ == "__main__":
    main()
