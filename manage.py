#!/usr/bin/env python
import os
import sys

# Commands that serve nothing, and `runplatform` (the platform on one machine): they may
# use generated local secrets (.secrets.local.json). Everything else needs them set.
LOCAL_SECRET_COMMANDS = {"check", "makemigrations", "showmigrations", "sqlmigrate", "help", "runplatform"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "videogen.settings")
    if len(sys.argv) > 1 and sys.argv[1] in LOCAL_SECRET_COMMANDS:
        os.environ.setdefault("LOCAL_SECRETS", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
