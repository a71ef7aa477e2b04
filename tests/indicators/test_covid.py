from datetime import date

import pytest

from osservatorio.indicators.covid import TIMELINE, baseline, events, segments


def test_timeline_is_dated_sourced_and_ordered():
    assert all(e.source for e in TIMELINE)
    assert all(e.end is None or e.end >= e.start for e in TIMELINE)
    starts = [e.start for e in TIMELINE]
    assert starts == sorted(starts)
    titles = " ".join(e.title for e in TIMELINE)
    for word in ("Buoni spesa", "Reddito di emergenza", "Assegno di inclusione", "zona rossa", "Lockdown"):
        assert word.lower() in titles.lower()


def test_events_filter_by_area_and_period():
    lombardy_2021 = events(("IT", "03"), date(2021, 1, 1), date(2021, 12, 31))
    assert any(e.area == "03" for e in lombardy_2021)
    assert all(
        (e.end or e.start) >= date(2021, 1, 1) and e.start <= date(2021, 12, 31) for e in lombardy_2021
    )
    assert not any(e.area == "03" for e in events(("IT",)))


def test_baseline_mean_and_trend_by_hand():
    series = {2015: 10.0, 2016: 11.0, 2017: 12.0, 2018: 13.0, 2019: 14.0, 2020: 20.0, 2021: 15.0}
    out = {(c.year, c.method): c for c in baseline(series)}
    mean20 = out[(2020, "media")]
    assert mean20.expected == pytest.approx(12.0) and mean20.difference == pytest.approx(8.0)
    trend20 = out[(2020, "tendenza")]
    assert trend20.expected == pytest.approx(15.0)  # perfect line: no residual, zero-width interval
    assert trend20.difference == pytest.approx(5.0) and trend20.significant
    assert out[(2021, "tendenza")].difference == pytest.approx(-1.0)
    missing = out[(2022, "media")]
    assert missing.expected is None and "mancante" in missing.note


def test_baseline_respects_breaks_and_observed_interval():
    series = {2016: 5.0, 2017: 5.5, 2018: 5.2, 2019: 5.4, 2020: 5.9}
    cut = {(c.year, c.method): c for c in baseline(series, breaks=(2020,))}
    assert cut[(2020, "media")].expected is None and "interruzione" in cut[(2020, "media")].note
    wide = {(c.year, c.method): c for c in baseline(series, observed_half_width={2020: 3.0})}
    narrow = {(c.year, c.method): c for c in baseline(series)}
    assert wide[(2020, "media")].difference_high - wide[(2020, "media")].difference_low > (
        narrow[(2020, "media")].difference_high - narrow[(2020, "media")].difference_low
    )
    assert wide[(2020, "media")].significant is False


def test_segments_never_join_across_breaks_or_gaps():
    pts = [(2017, 1.0), (2018, 2.0), (2019, None), (2020, 3.0), (2021, 4.0), (2022, 5.0)]
    assert segments(pts, breaks=(2021,)) == [
        [(2017, 1.0), (2018, 2.0)],
        [(2020, 3.0)],
        [(2021, 4.0), (2022, 5.0)],
    ]
