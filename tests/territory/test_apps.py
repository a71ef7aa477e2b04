import io

import pytest
from django.apps import apps

from osservatorio.territory.models import Area


@pytest.mark.django_db
def test_load_demo_loads_italy_and_is_idempotent():
    config = apps.get_app_config("territory")
    out = io.StringIO()
    config.load_demo(out)
    total = Area.objects.count()
    assert Area.objects.filter(level="regione").count() == 20
    assert Area.objects.filter(level="provincia").count() == 107
    assert "comune" in out.getvalue()
    config.load_demo(io.StringIO())
    assert Area.objects.count() == total
