#!/usr/bin/env python
import os
import sys

from photoshare_site.private_files import keep_new_files_private


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "photoshare_site.settings")
    # Before anything is written: the server (serve execs gunicorn, which inherits it) and every command.
    keep_new_files_private()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
