"""Every catalogue text fits its database column: SQLite does not enforce lengths, PostgreSQL does."""

from osservatorio.indicators import catalogue
from osservatorio.indicators.models import Indicator


def test_every_catalogue_string_fits_its_column():
    limits = {
        f.name: f.max_length
        for f in Indicator._meta.get_fields()
        if getattr(f, "max_length", None) and f.get_internal_type() in ("CharField", "SlugField")
    }
    too_long = [
        f"{entry['code']}.{field}: {len(value)} caratteri (massimo {limits[field]})"
        for entry in catalogue.read()
        for field, value in entry.items()
        if field in limits and isinstance(value, str) and len(value) > limits[field]
    ]
    assert not too_long, "\n".join(too_long)
