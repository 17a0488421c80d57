"""`make run`: the whole suite on this machine, each service its own process.

1. RabbitMQ at AMQP_URL must answer; if not, say how to start one and exit non-zero.
2. MongoDB at MONGODB_URL; without it, an embedded SecantusDB keeps its data in `.data/mongo`
   (EMBEDDED_MONGODB_DATA and EMBEDDED_MONGODB_PORT move it).
3. Unless SMTP_HOST is set, a local SMTP sink that keeps every mail the suite sends as a file in
   `.data/mail/` (MAIL_SINK_DIR and MAIL_SINK_PORT move it), for the mailer to send to.
4. The services from the Procfile under honcho, their logs prefixed with their names; ingest
   takes the README's demo orders with a development integration key (unless
   INGEST_INTEGRATIONS is set); the gateway takes a development admin key (unless
   GATEWAY_BOOTSTRAP_API_KEY is set).
Ctrl-C (or SIGTERM) stops the services first, then the sink and the embedded database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit, urlunsplit

import aio_pika

from shared.settings import DEV_AMQP_URL
from tools.embedded_mongo import EmbeddedMongo
from tools.mail_sink import free_port, mail_sink

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("EMBEDDED_MONGODB_DATA", ROOT / ".data" / "mongo"))
EMBEDDED_PORT = int(os.environ.get("EMBEDDED_MONGODB_PORT", "27027"))
MAIL_DIR = Path(os.environ.get("MAIL_SINK_DIR", ROOT / ".data" / "mail"))
MAIL_PORT = int(os.environ.get("MAIL_SINK_PORT", "1025"))
# honcho gives its children 5 s after Ctrl-C before it kills them; wait a little longer.
SERVICES_STOP_TIMEOUT_S = 15
# The integration the README's `POST /v1/orders` example sends its order as (the demo shop);
# `dev-only-` keys are refused outside development.
DEV_INTEGRATION_KEY = "dev-only-integration-key-demo-store"
DEV_INTEGRATIONS = [
    {"channel": "shopify", "shop": "demo-store.myshopify.com", "api_key": DEV_INTEGRATION_KEY}
]

# The admin key the README's gateway examples send (`X-API-Key`).
DEV_BOOTSTRAP_API_KEY = "dev-only-admin-key-for-make-run"

HOW_TO_START_RABBITMQ = """\
RabbitMQ is not reachable at {url}
  ({reason})

Start a local RabbitMQ server, then run `make run` again:
  - Debian/Ubuntu with the rabbitmq-server package:   sudo rabbitmq-server -detached
    (install it with: sudo apt-get install rabbitmq-server)
  - with Docker:
      docker run -d --name rabbitmq -p 5672:5672 -p 15672:15672 rabbitmq:3.13-management
  - or point the suite at a running broker:   AMQP_URL=amqp://user:password@host:5672/ make run
"""


def redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


async def _probe_rabbitmq(url: str) -> None:
    connection = await asyncio.wait_for(aio_pika.connect(url), timeout=5)
    await connection.close()


def rabbitmq_problem(url: str) -> str | None:
    """None when RabbitMQ answers, else the reason it does not."""
    # The client libraries log the failed connect themselves; the message below says it better.
    for noisy in ("aiormq", "aio_pika"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    try:
        asyncio.run(_probe_rabbitmq(url))
    except Exception as error:  # noqa: BLE001 - any failure means: not reachable
        return f"{type(error).__name__}: {error}".strip()
    return None


def main() -> int:
    amqp_url = os.environ.get("AMQP_URL", DEV_AMQP_URL)
    problem = rabbitmq_problem(amqp_url)
    if problem:
        print(HOW_TO_START_RABBITMQ.format(url=redacted(amqp_url), reason=problem), file=sys.stderr)
        return 2

    env = os.environ | {
        "AMQP_URL": amqp_url,
        "PYTHONUNBUFFERED": "1",
        # `python` in the Procfile is this virtual environment's interpreter.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
    }
    env.setdefault("INGEST_INTEGRATIONS", json.dumps(DEV_INTEGRATIONS))
    env.setdefault("GATEWAY_BOOTSTRAP_API_KEY", DEV_BOOTSTRAP_API_KEY)
    # Readable lines in a terminal; `LOG_FORMAT=json make run` shows what a collector gets.
    env.setdefault("LOG_FORMAT", "console")
    embedded = None
    if not env.get("MONGODB_URL"):
        embedded = EmbeddedMongo(
            data_dir=DATA_DIR, port=EMBEDDED_PORT, log_path=DATA_DIR.parent / "secantusd.log"
        )
        print(
            f"starting embedded MongoDB (SecantusDB) on port {EMBEDDED_PORT}, data in {DATA_DIR}",
            flush=True,
        )
        env["MONGODB_URL"] = embedded.start()
    try:
        with contextlib.ExitStack() as sink:
            if not env.get("SMTP_HOST"):
                port = sink.enter_context(mail_sink(MAIL_DIR, free_port(MAIL_PORT)))
                env |= {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_SECURITY": "none"}
                print(f"mail goes to {MAIL_DIR} (SMTP sink on port {port})", flush=True)
            return run_services(env)
    finally:
        if embedded is not None:
            print("stopping embedded MongoDB", flush=True)
            embedded.stop()


def run_services(env: dict[str, str]) -> int:
    honcho = subprocess.Popen(
        [sys.executable, "-m", "honcho", "start", "-f", str(ROOT / "Procfile"), "-d", str(ROOT)],
        env=env,
    )

    def forward(signum: int, _: FrameType | None) -> None:
        # A terminal's Ctrl-C reaches honcho by itself (same process group); a SIGTERM sent to
        # this process alone is passed on so the services still stop cleanly.
        if signum == signal.SIGTERM and honcho.poll() is None:
            honcho.send_signal(signal.SIGINT)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    try:
        return honcho.wait()
    finally:
        if honcho.poll() is None:
            honcho.send_signal(signal.SIGINT)
            try:
                honcho.wait(timeout=SERVICES_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                honcho.kill()
                honcho.wait()


if __name__ == "__main__":
    sys.exit(main())
