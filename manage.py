#!/usr/bin/env python
import os
import re
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ceocalls.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads settings so a bad environment fails here, in one line
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(2)

    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except OperationalError as exc:
        if "--traceback" in sys.argv:
            raise
        # A URL that parses but leads nowhere (no server, no such database, a folder that does not exist).
        url = re.sub(r"//([^:/@]*):[^@/]*@", r"//\1:***@", os.environ.get("DATABASE_URL", "sqlite:///db.sqlite3"))
        reason = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        sys.stderr.write(f"error: the database of DATABASE_URL={url!r} cannot be used: {reason}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
