import os
import stat

import pytest

from osservatorio.records import pseudonym

CF = "RSSMRA80A01H501U"


def test_same_key_same_pseudonym_other_key_other_pseudonym():
    a = pseudonym.pseudonym(b"a" * 32, CF)
    assert a == pseudonym.pseudonym(b"a" * 32, CF)
    assert a != pseudonym.pseudonym(b"b" * 32, CF)
    assert len(a) == 64 and CF not in a
    assert pseudonym.pseudonyms(b"a" * 32, [CF, CF]) == [a, a]


def test_key_from_environment_wins(tmp_path):
    key = pseudonym.load_key(tmp_path / "k", environ={pseudonym.ENV_VAR: "x" * 40})
    assert key == b"x" * 40
    assert not (tmp_path / "k").exists()


def test_key_file_is_created_once_with_mode_0600(tmp_path):
    path = tmp_path / "secrets" / "pseudonym.key"
    first = pseudonym.load_key(path, environ={})
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert pseudonym.load_key(path, environ={}) == first
    assert len(first) == 64


def test_short_key_is_refused_with_italian_message(tmp_path):
    with pytest.raises(pseudonym.PseudonymKeyError, match="troppo corta"):
        pseudonym.load_key(tmp_path / "k", environ={pseudonym.ENV_VAR: "corta"})


def test_fingerprint_does_not_reveal_the_key():
    fp = pseudonym.fingerprint(b"segreto" * 5)
    assert len(fp) == 12 and "segreto" not in fp
    assert fp != pseudonym.fingerprint(b"altro" * 5)
