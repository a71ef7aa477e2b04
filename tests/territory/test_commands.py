import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_load_prints_counts_per_level(capsys):
    call_command("territory", "load", "--regione", "03")
    out = capsys.readouterr().out
    assert "Comune" in out and "1.502" in out and "Ambito territoriale sociale" in out


def test_show_prints_hierarchy(capsys, territory_cremona):
    call_command("territory", "show", "019036")
    out = capsys.readouterr().out
    assert "Cremona → Ambito Cremonese (AMB-CREMONESE) → Provincia di Cremona (019)" in out.replace("\n", " ")
    assert "70.637" in out and "Quartiere: 16" in out


@pytest.mark.parametrize(
    "code, fragment",
    [("0190", "non è un codice territoriale valido"), ("019999", "Nessuna area ha il codice 019999")],
)
def test_show_bad_code_is_an_italian_error(territory_cremona, code, fragment):
    with pytest.raises(CommandError, match=fragment):
        call_command("territory", "show", code)


def test_malformed_code_exits_1_without_traceback(tmp_path):
    env = dict(os.environ, OSSERVATORIO_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="osservatorio.settings")
    env.pop("DATABASE_URL", None)
    cli = Path(sys.executable).parent / "osservatorio"
    done = subprocess.run(
        [str(cli), "territory", "show", "xx"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1
    assert "non è un codice territoriale valido" in done.stderr
    assert "Traceback" not in done.stderr


def test_load_with_a_bad_ambiti_file_saves_nothing(tmp_path, territory_cremona):
    bad = tmp_path / "ambiti.csv"
    bad.write_text("ambito_code,ambito_name,comune_code,valid_from,valid_to\nAMB-X,X,019999,2020-01-01,\n")
    with pytest.raises(CommandError, match=r"ambiti\.csv, riga 2, colonna comune_code: il codice 019999"):
        call_command("territory", "load", "--regione", "03", "--ambiti", str(bad))
    from osservatorio.territory.models import Area

    assert not Area.objects.filter(code="AMB-X").exists()


def test_load_unknown_region_is_an_italian_error():
    with pytest.raises(CommandError, match="Regione 99 sconosciuta"):
        call_command("territory", "load", "--regione", "99")
