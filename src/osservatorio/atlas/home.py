"""What the home page shows: the ente's ambito's headline figures with their changes, and the latest report."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from . import selectors


def latest_report() -> dict | None:
    """The newest published report, if the reports app offers one (it is optional for the home page)."""
    try:
        from osservatorio.reports import selectors as report_selectors
    except Exception:  # noqa: BLE001 - the reports app may not expose selectors yet
        report_selectors = None
    fn = getattr(report_selectors, "latest_published", None) if report_selectors else None
    if fn is not None:
        try:
            report = fn()
        except Exception:  # noqa: BLE001 - an optional panel must not take the home page down
            report = None
        if report is not None:
            url = getattr(report, "get_absolute_url", lambda: "")()
            return {"title": str(report), "url": url}
    try:
        return {"title": None, "url": reverse("reports:index")}
    except NoReverseMatch:
        return None


def context() -> dict:
    area = selectors.home_area()
    headline = selectors.headline(area) if area is not None else []
    return {"home_area": area, "headline": headline, "report": latest_report()}
