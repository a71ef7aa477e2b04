"""`osservatorio check --deploy` is clean in production mode."""

import os
import secrets
import subprocess
import sys


def test_check_deploy_is_clean_in_production(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OSSERVATORIO_", "DATABASE_URL"))
    }
    env.update(
        OSSERVATORIO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50)[:50],
        DJANGO_ALLOWED_HOSTS="osservatorio.example.it",
        OSSERVATORIO_VAR_DIR=str(tmp_path / "var"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "osservatorio", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OSSERVATORIO_", "DATABASE_URL"))
    }
    env.update(OSSERVATORIO_ENV="production", OSSERVATORIO_VAR_DIR=str(tmp_path / "var"))
    result = subprocess.run(
        [sys.executable, "-m", "osservatorio", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
