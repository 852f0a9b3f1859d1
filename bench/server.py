"""gunicorn with production settings on loopback, and a small HTTP client that speaks to it.

Production settings redirect plain HTTP to HTTPS and mark cookies secure. The bench does what the
TLS-terminating proxy in front of production does: it sends `X-Forwarded-Proto: https`, which
`SECURE_PROXY_SSL_HEADER` trusts, and passes the session cookie itself. So the pages run exactly
the production code path (redirect middleware, HSTS, secure cookies) without a certificate.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """`with Gunicorn(env, app="ceocalls.wsgi:application") as server: server.port`"""

    def __init__(self, env: dict, app: str = "ceocalls.wsgi:application", workers: int = 2, threads: int = 1):
        self.env, self.app, self.workers, self.threads = env, app, workers, threads
        self.port = free_port()
        self.process = None

    def __enter__(self):
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(
            [gunicorn, self.app, "--workers", str(self.workers), "--threads", str(self.threads), "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "--timeout", "120"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see the lines above")
            try:
                status, _, _ = Client(self.port).get("/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Client:
    """One keep-alive connection; every request carries the proxy headers and the session cookie."""

    def __init__(self, port: int, cookie: str | None = None):
        self.port, self.cookie = port, cookie
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def headers(self, extra=None) -> dict:
        headers = dict(PROXY_HEADERS)
        if self.cookie:
            headers["Cookie"] = f"sessionid={self.cookie}"
        return headers | (extra or {})

    def get(self, path: str):
        return self.request("GET", path)

    def request(self, method: str, path: str, body: bytes | None = None, extra=None):
        try:
            self.conn.request(method, path, body=body, headers=self.headers(extra))
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.conn.request(method, path, body=body, headers=self.headers(extra))
            response = self.conn.getresponse()
        data = response.read()
        return response.status, dict(response.getheaders()), data


def production_env(database_url: str, secret_key: str, redis_url: str | None, **extra) -> dict:
    """The environment of every process the bench starts: production settings on loopback."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "CEOCALLS_TESTING", "REDIS_URL"}}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=secret_key,
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="https://127.0.0.1",
        DJANGO_SETTINGS_MODULE="ceocalls.settings",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env
