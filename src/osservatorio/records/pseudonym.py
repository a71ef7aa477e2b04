"""Keyed pseudonyms of the codice fiscale (HMAC-SHA256).

The key never lives in the database or the repository: it comes from the environment variable
OSSERVATORIO_PSEUDONYM_KEY or from a file under the state directory created on first use with mode 0600
(see docs/dati-servizi.md for custody and rotation). Without the key a pseudonym cannot be linked back
to a person, even by someone holding the whole database; with the same key the same person always gets
the same pseudonym, so records from different files and years can be counted per person.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

ENV_VAR = "OSSERVATORIO_PSEUDONYM_KEY"
MIN_KEY_BYTES = 16


class PseudonymKeyError(RuntimeError):
    """The pseudonymisation key is missing or too weak (message in Italian, for the operator)."""


def load_key(key_file: Path, environ: dict[str, str] | None = None) -> bytes:
    env = os.environ if environ is None else environ
    value = env.get(ENV_VAR)
    if value:
        key = value.strip().encode("utf-8")
        source = f"la variabile d'ambiente {ENV_VAR}"
    else:
        key = _read_or_create(key_file)
        source = f"il file {key_file}"
    if len(key) < MIN_KEY_BYTES:
        raise PseudonymKeyError(
            f"La chiave di pseudonimizzazione letta da {source} è troppo corta "
            f"({len(key)} byte, servono almeno {MIN_KEY_BYTES}): generarne una con "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`."
        )
    return key


def _read_or_create(key_file: Path) -> bytes:
    try:
        return key_file.read_bytes().strip()
    except FileNotFoundError:
        pass
    key_file.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(key_file.parent, 0o700)
    try:
        # O_EXCL: two workers starting together must not each write a different key.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_bytes().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    return key_file.read_bytes().strip()


def fingerprint(key: bytes) -> str:
    """A short public tag of the key, stored with each import so a key change is visible."""
    return hashlib.sha256(b"osservatorio-key-fingerprint:" + key).hexdigest()[:12]


def pseudonym(key: bytes, normalised_cf: str) -> str:
    return hmac.new(key, normalised_cf.encode("ascii"), hashlib.sha256).hexdigest()


def pseudonyms(key: bytes, normalised_cfs: Iterable[str]) -> list[str]:
    # hmac.digest is the one-shot C implementation: about three times faster than hmac.new per value.
    digest = hmac.digest
    return [digest(key, cf.encode("ascii"), "sha256").hex() for cf in normalised_cfs]
