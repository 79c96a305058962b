"""The app's routers are matched in order (api/main.py puts the most frequent calls first): that order must
never decide which route answers a request."""

from __future__ import annotations

from fastapi.routing import APIRoute

from api.main import ROUTERS


def _could_match_the_same_path(a: str, b: str) -> bool:
    """Whether one request path could fit both templates: as many segments, each equal or a parameter in
    either (a parameter's pattern could still tell them apart; this asks the stricter question)."""
    first, second = a.strip("/").split("/"), b.strip("/").split("/")
    return len(first) == len(second) and all(
        x == y or x.startswith("{") or y.startswith("{") for x, y in zip(first, second, strict=True)
    )


def test_no_request_could_be_matched_by_routes_of_two_routers() -> None:
    routes = [
        (module.__name__, method, module.router.prefix + route.path)
        for module in ROUTERS
        for route in module.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    ]
    assert len(routes) > 50
    overlapping = [
        (a, b)
        for i, a in enumerate(routes)
        for b in routes[i + 1 :]
        if a[0] != b[0] and a[1] == b[1] and _could_match_the_same_path(a[2], b[2])
    ]
    assert overlapping == []
