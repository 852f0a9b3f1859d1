"""The production WSGI application with each response carrying what it cost, for the page benchmark.

    gunicorn bench.wsgi:application

Adds `X-Bench-Queries` (SQL statements) and `X-Bench-SQL-ms` / `X-Bench-App-ms` (time in the
database and in the whole request). The body is gathered first, so queries run while a streamed
response (the commitments CSV) is produced are counted too. Load tests use `ceocalls.wsgi` itself.
"""

import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ceocalls.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402

django_application = get_wsgi_application()


def application(environ, start_response):
    cost = {"queries": 0, "sql": 0.0}

    def counted(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            cost["queries"] += 1
            cost["sql"] += time.perf_counter() - started

    answer = {}

    def remember(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, headers
        return lambda data: None

    started = time.perf_counter()
    with connection.execute_wrapper(counted):
        response = django_application(environ, remember)
        try:
            body = b"".join(response)
        finally:
            if hasattr(response, "close"):
                response.close()
    headers = [(k, v) for k, v in answer["headers"] if k.lower() != "content-length"] + [
        ("Content-Length", str(len(body))),
        ("X-Bench-Queries", str(cost["queries"])),
        ("X-Bench-SQL-ms", f"{cost['sql'] * 1000:.1f}"),
        ("X-Bench-App-ms", f"{(time.perf_counter() - started) * 1000:.1f}"),
    ]
    start_response(answer["status"], headers)
    return [body]
