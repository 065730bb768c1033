#!/usr/bin/env python
import os
import sys

# Commands that serve nothing, and `runplatform` (the platform on one machine): they may
# use generated local secrets (.secrets.local.json). Everything else needs them set.
LOCAL_SECRET_COMMANDS = {"check", "makemigrations", "showmigrations", "sqlmigrate", "help", "runplatform"}


def local_secrets_allowed(args: list[str], environ) -> bool:
    """Only on a development checkout: an environment that sets DEBUG itself (compose and
    every deployment set DEBUG=0) leaves LOCAL_SECRETS to the settings, so a production
    `check` still refuses a missing secret, and `check --deploy` never checks a generated one."""
    if not args or args[0] not in LOCAL_SECRET_COMMANDS or "--deploy" in args:
        return False
    return environ.get("DEBUG", "").strip() == ""


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "videogen.settings")
    if local_secrets_allowed(sys.argv[1:], os.environ):
        os.environ.setdefault("LOCAL_SECRETS", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
