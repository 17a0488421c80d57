"""`make run`'s supervisor: a crashed service comes back after a back-off, the others go on."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sys
from pathlib import Path

from tools.supervisor import Supervisor, exit_reason, read_procfile

SLEEPER = f"{sys.executable} -c 'import time; print(\"up\", flush=True); time.sleep(600)'"


async def wait_for(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_a_killed_service_is_restarted_and_the_others_keep_running(tmp_path: Path) -> None:
    out = io.StringIO()
    supervisor = Supervisor(
        {"one": SLEEPER, "two": SLEEPER}, os.environ, tmp_path, out=out, first_backoff_s=0.2
    )
    running = asyncio.create_task(supervisor.run())
    try:
        one, two = supervisor.services["one"], supervisor.services["two"]
        await wait_for(lambda: one.process is not None and two.process is not None)
        assert one.process is not None
        assert two.process is not None
        first_pid, other_pid = one.process.pid, two.process.pid
        os.kill(first_pid, signal.SIGKILL)
        await wait_for(lambda: one.process is not None and one.process.pid != first_pid)
        assert one.restarts == 1
        assert two.process.pid == other_pid
        assert two.process.returncode is None
        assert "one killed by SIGKILL" in out.getvalue()
        # Crashing again soon after: the back-off doubles.
        assert one.backoff_s == 0.4
    finally:
        supervisor.stop()
        assert await asyncio.wait_for(running, 20) == 0
    for service in supervisor.services.values():
        assert service.process is not None
        assert service.process.returncode is not None


def test_procfile_and_exit_reasons(tmp_path: Path) -> None:
    procfile = tmp_path / "Procfile"
    procfile.write_text("# the suite\ncustomer: python -m services.customer\n\nmailer: x -y\n")
    assert read_procfile(procfile) == {"customer": "python -m services.customer", "mailer": "x -y"}
    assert exit_reason(-9) == "killed by SIGKILL"
    assert exit_reason(3) == "exited with code 3"


async def test_the_services_stop_when_the_supervisor_is_killed(tmp_path: Path) -> None:
    """`kill -9` of `make run` itself leaves no service behind."""
    script = (
        "import asyncio, os, sys\n"
        "from pathlib import Path\n"
        "from tools.supervisor import Supervisor\n"
        f"s = Supervisor({{'one': {SLEEPER!r}}}, os.environ, Path('.'))\n"
        "asyncio.run(s.run())\n"
    )
    parent = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, stdout=asyncio.subprocess.PIPE, cwd=Path.cwd()
    )
    assert parent.stdout is not None
    line = (await asyncio.wait_for(parent.stdout.readline(), 20)).decode()
    child_pid = int(line.rsplit("pid", 1)[1])
    parent.kill()
    await parent.wait()

    def gone() -> bool:
        try:
            os.kill(child_pid, 0)
        except ProcessLookupError:
            return True
        return False

    await wait_for(gone)
