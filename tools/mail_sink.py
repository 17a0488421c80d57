"""A local SMTP server that keeps every mail as a file: `python -m tools.mail_sink`.

`make run` starts it (unless SMTP_HOST is set) and points the mailer at it, so a developer can
open what the suite sent: each mail is one `.eml` file in `.data/mail/` (MAIL_SINK_DIR moves it),
readable by any mail program or text editor. It accepts everything and delivers nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = Path(os.environ.get("MAIL_SINK_DIR", ROOT / ".data" / "mail"))
DEFAULT_PORT = int(os.environ.get("MAIL_SINK_PORT", "1025"))


class MailFolder:
    """aiosmtpd handler: writes each accepted mail to `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(envelope.original_content or envelope.content)
        print(f"mail to {', '.join(envelope.rcpt_tos)} kept in {path}", flush=True)
        return "250 Message accepted for delivery"


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((host, port)) != 0


def free_port(preferred: int) -> int:
    """`preferred` if nothing listens there, else any free port."""
    if port_is_free(preferred):
        return preferred
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def mail_sink(directory: Path, port: int, host: str = "127.0.0.1") -> Iterator[int]:
    """The sink, running in a thread of this process, while the block runs."""
    controller = Controller(MailFolder(directory), hostname=host, port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mail_sink", description=__doc__)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    with mail_sink(args.dir, args.port) as port:
        print(f"SMTP sink on 127.0.0.1:{port}, mails kept in {args.dir}; Ctrl-C stops it")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
