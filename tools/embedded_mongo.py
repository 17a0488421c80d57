"""SecantusDB as a child process: the MongoDB of `make run` and of the tests without MONGODB_URL.

SecantusDB is GPL-licensed and for development only, so it is only ever started through its
command line, never imported.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

from pymongo import MongoClient
from pymongo.errors import PyMongoError

START_TIMEOUT_S = 60.0


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` distinct ports free now: held together while they are chosen, since a port
    given back may be given out again at once (two services of one suite were handed the same
    port, one after the other, and the second could not listen)."""
    with contextlib.ExitStack() as held:
        sockets = [held.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


def _executable() -> str:
    beside_python = Path(sys.executable).with_name("secantusd-py")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("secantusd-py")
    if found is None:
        raise RuntimeError("secantusd-py not found: install the dev dependencies (make install)")
    return found


class EmbeddedMongo:
    """Start with `with EmbeddedMongo(...) as url:`; stopped (and its temp data removed) on exit."""

    def __init__(
        self, *, data_dir: Path | None = None, port: int | None = None, log_path: Path | None = None
    ) -> None:
        self._temp = None if data_dir else tempfile.TemporaryDirectory(prefix="secantus-")
        self.data_dir = data_dir or Path(self._temp.name) / "data"  # type: ignore[union-attr]
        self.port = port or free_port()
        self.log_path = log_path or self.data_dir.parent / f"secantusd-{self.port}.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        # No retryable writes: SecantusDB keeps a record of each (up to 10,000) and scans them
        # all on every statement, so after a few thousand orders most of its processor went to
        # that scan (py-spy: 58%). They guard against a failover or a dropped connection between
        # the driver and a replica set, which a local development server does not have.
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true&retryWrites=false"

    def start(self) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            _executable(),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--storage-path",
            str(self.data_dir),
            "--sync-on-commit",
            "--log-level",
            "WARNING",
        ]
        with self.log_path.open("ab") as log:
            # Own session: a Ctrl-C in the terminal must not stop the database before the
            # services that are still finishing their messages.
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._wait_until_up()
        return self.url

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        client: MongoClient[dict[str, object]] = MongoClient(self.url, serverSelectionTimeoutMS=500)
        try:
            while time.monotonic() < deadline:
                assert self._process is not None
                if self._process.poll() is not None:
                    raise RuntimeError(
                        f"SecantusDB exited with {self._process.returncode}: {self._log_tail()}"
                    )
                try:
                    client.admin.command("ping")
                    return
                except PyMongoError:
                    time.sleep(0.2)
        finally:
            client.close()
        self.stop()
        raise RuntimeError(
            f"SecantusDB did not answer within {START_TIMEOUT_S:.0f}s: {self._log_tail()}"
        )

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-2000:]
        except OSError:
            return "(no log)"

    @property
    def pid(self) -> int:
        """The server's process id (tests freeze it with SIGSTOP and thaw it with SIGCONT)."""
        assert self._process is not None, "not started"
        return self._process.pid

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            # A frozen server (SIGSTOP) would never see the SIGTERM.
            process.send_signal(signal.SIGCONT)
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if self._temp is not None:
            self._temp.cleanup()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
