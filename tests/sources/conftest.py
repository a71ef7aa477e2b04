"""Every sources test writes its lake and warehouse under its own temporary folder."""

import pytest


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
    return settings.VAR_DIR


def write(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


POP_HEADER = "codice_istat,comune,data_riferimento,maschi,femmine,totale,fonte\n"
