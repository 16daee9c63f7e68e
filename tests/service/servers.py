"""Servers a fault test may stop and start: a private ``redis-server`` on a free
port, a throwaway PostgreSQL cluster (``initdb`` + ``pg_ctl`` in a temporary
directory), and the API as its own ``vidclip serve`` process. The machine's
shared Redis (6379) and PostgreSQL (5432) are never touched.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.service.conftest import VidclipProcess, free_port


def _wait(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up in {timeout:g} s")
        time.sleep(0.05)


class PrivateRedis:
    """redis-server with an append-only file fsynced on every write, so a restart
    (even after SIGKILL) loses nothing it acknowledged: the persistence a
    production broker needs (docs/operations.md, Faults)."""

    def __init__(self, directory: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.binary, self.dir = binary, directory
        directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "PrivateRedis":
        self.proc = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.dir),
             "--save", "", "--appendonly", "yes", "--appendfsync", "always"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(self.ping, 10, "redis-server")
        return self

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.2).ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def restart(self, down_s: float = 0.0) -> None:
        self.kill()
        time.sleep(down_s)
        self.start()

    def client(self):
        import redis

        return redis.Redis(port=self.port)


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class PrivatePostgres:
    """A PostgreSQL cluster of its own in a new temporary directory, on a free
    port. initdb refuses to run as root, so as root the cluster belongs to the
    ``postgres`` user, and its directory lies directly under the system's
    temporary directory (pytest's are closed to other users)."""

    def __init__(self):
        bindir = _pg_bin()
        if bindir is None:
            pytest.skip("PostgreSQL server binaries are not installed (/usr/lib/postgresql)")
        self.bindir = bindir
        self.port = free_port()
        self.user = None
        if os.geteuid() == 0:
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and there is no postgres user for initdb")
        self.dir = Path(tempfile.mkdtemp(prefix="vidclip-test-pg-"))
        if self.user is not None:
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)
        self.data = self.dir / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str, timeout: float = 60) -> None:
        def demote():
            if self.user is not None:
                os.setgid(self.user.pw_gid)
                os.setuid(self.user.pw_uid)

        done = subprocess.run([str(self.bindir / argv[0]), *argv[1:]], timeout=timeout,
                              capture_output=True, text=True, preexec_fn=demote, cwd=self.dir)
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {done.stderr.strip()[-500:]}")

    def init(self) -> "PrivatePostgres":
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--no-sync", "-E", "UTF8")
        return self

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=60")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"),
                  "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        """Stop (if running) and delete the cluster."""
        if (self.data / "postmaster.pid").exists():
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class ApiProcess(VidclipProcess):
    """``vidclip serve`` as a process of its own."""

    STOP_TIMEOUT_S = 20

    def __init__(self, settings, log_path: Path, *args: str, serve_args: tuple[str, ...] = ()):
        self.url = f"http://127.0.0.1:{settings.port}"
        super().__init__(settings, log_path, [*args, "serve", *serve_args])
