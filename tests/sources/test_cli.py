import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from osservatorio.sources.models import Release

from .conftest import POP_HEADER, write

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("sources", *args, stdout=out)
    return out.getvalue()


def test_load_a_file_then_list(tmp_path):
    path = write(tmp_path / "pop.csv", POP_HEADER + "019036,Cremona,2023-01-01,,,70845,ISTAT\n")
    out = run("load", "istat_popolazione_comuni", str(path))
    assert "release #" in out and "in vigore" in out and "100%" in out
    assert "già caricato" in run("load", "istat_popolazione_comuni", str(path))
    listing = run("list")
    assert "istat_popolazione_comuni" in listing and "rdc_comuni_2020 (non ufficiale)" in listing


def test_refused_load_exits_with_an_error_and_the_message(tmp_path):
    bad = write(tmp_path / "bad.csv", POP_HEADER + "019036,Cremona,ieri,,,1,\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 caricamenti rifiutati"):
        call_command("sources", "load", "istat_popolazione_comuni", str(bad), stdout=out)
    assert "la release precedente resta in vigore" in out.getvalue() and "«ieri» non valido" in out.getvalue()
    assert Release.objects.filter(status=Release.Status.IN_FORCE).count() == 0


def test_a_file_for_a_source_with_several_datasets_is_refused(tmp_path):
    with pytest.raises(CommandError, match="ha più dataset"):
        run("load", "istat_popolazione", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="non è né un dataset né una fonte"):
        run("load", "nulla")
