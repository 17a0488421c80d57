"""A small process supervisor for `make run`: one crashed service is restarted, the others go on.

Each Procfile entry runs as its own child in its own session (a terminal's Ctrl-C reaches only
this supervisor, which stops the services once, with SIGTERM); a child is sent SIGTERM by the
kernel if the supervisor itself dies. A child that exits while the suite is not
stopping is started again after a back-off that doubles with each quick crash (1 s, 2 s, 4 s ...
up to 30 s) and resets once the service has run for a while; each restart is logged with the
reason. On SIGINT or SIGTERM every child gets SIGTERM (services finish their messages), and
SIGKILL if it is still running after the stop timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 30.0
# A service that ran this long before it exited is restarted after the first back-off again.
STABLE_AFTER_S = 30.0
STOP_TIMEOUT_S = 15.0


def read_procfile(path: Path) -> dict[str, str]:
    """`name: command` lines, in file order (blank lines and comments skipped)."""
    entries: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, command = line.partition(":")
        entries[name.strip()] = command.strip()
    return entries


def exit_reason(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code}"


@dataclass
class Service:
    name: str
    command: str
    restarts: int = 0
    process: asyncio.subprocess.Process | None = None
    started_at: float = 0.0
    backoff_s: float = FIRST_BACKOFF_S


@dataclass
class Supervisor:
    commands: Mapping[str, str]
    env: Mapping[str, str]
    cwd: Path
    out: TextIO = field(default_factory=lambda: sys.stdout)
    first_backoff_s: float = FIRST_BACKOFF_S
    max_backoff_s: float = MAX_BACKOFF_S
    stable_after_s: float = STABLE_AFTER_S
    stop_timeout_s: float = STOP_TIMEOUT_S
    services: dict[str, Service] = field(init=False)
    _stopping: asyncio.Event = field(init=False)

    def __post_init__(self) -> None:
        self.services = {
            name: Service(name, command, backoff_s=self.first_backoff_s)
            for name, command in self.commands.items()
        }
        self._stopping = asyncio.Event()
        self._width = max((len(n) for n in self.commands), default=0)

    def say(self, name: str, line: str) -> None:
        self.out.write(f"{time.strftime('%H:%M:%S')} {name.ljust(self._width)} | {line}\n")
        self.out.flush()

    def stop(self) -> None:
        """Ask every service to stop (what SIGINT and SIGTERM do)."""
        self._stopping.set()

    async def run(self) -> int:
        """Until `stop()`: keep every service running. Returns 0 once all stopped."""
        keepers = [asyncio.create_task(self._keep(s)) for s in self.services.values()]
        await self._stopping.wait()
        await asyncio.gather(*(self._terminate(s) for s in self.services.values()))
        for keeper in keepers:
            keeper.cancel()
        await asyncio.gather(*keepers, return_exceptions=True)
        return 0

    async def _start(self, service: Service) -> asyncio.subprocess.Process:
        process = await asyncio.create_subprocess_exec(
            *shlex.split(service.command),
            cwd=self.cwd,
            env=dict(self.env),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        service.process, service.started_at = process, time.monotonic()
        self.say(service.name, f"started with pid {process.pid}")
        return process

    async def _keep(self, service: Service) -> None:
        while not self._stopping.is_set():
            process = await self._start(service)
            await self._relay(service, process)
            code = await process.wait()
            if self._stopping.is_set():
                return
            ran = time.monotonic() - service.started_at
            if ran >= self.stable_after_s:
                service.backoff_s = self.first_backoff_s
            service.restarts += 1
            self.say(
                "supervisor",
                f"{service.name} {exit_reason(code)} after {ran:.1f} s; restarting in "
                f"{service.backoff_s:.0f} s (restart {service.restarts})",
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), service.backoff_s)
            service.backoff_s = min(service.backoff_s * 2, self.max_backoff_s)

    async def _relay(self, service: Service, process: asyncio.subprocess.Process) -> None:
        """The service's output, each line prefixed with its name, until it closes."""
        assert process.stdout is not None
        while line := await process.stdout.readline():
            self.say(service.name, line.decode(errors="replace").rstrip())

    async def _terminate(self, service: Service) -> None:
        process = service.process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), self.stop_timeout_s)
        except TimeoutError:
            self.say("supervisor", f"{service.name} did not stop in time; killing it")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()


def _die_with_parent() -> None:
    """In the child before it runs: SIGTERM it when the supervisor dies, even by SIGKILL (it has
    its own session, so nothing else would reach it). Linux only; elsewhere a no-op."""
    if sys.platform != "linux":
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def supervise(procfile: Path, env: Mapping[str, str], cwd: Path) -> int:
    """Run the Procfile's services until SIGINT or SIGTERM; the exit code of `make run`."""

    async def main() -> int:
        supervisor = Supervisor(read_procfile(procfile), env, cwd)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, supervisor.stop)
        return await supervisor.run()

    return asyncio.run(main())
