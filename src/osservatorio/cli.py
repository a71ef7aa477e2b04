"""The `osservatorio` console script: Django's management commands under one name.

`osservatorio territory load`, `osservatorio check --deploy`, `osservatorio runserver` ...
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osservatorio.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["osservatorio", *args])


if __name__ == "__main__":
    main()
