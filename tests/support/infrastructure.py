"""Where the tests find RabbitMQ and MongoDB, in this order of preference:

1. URLs from the environment (`AMQP_URL`, `MONGODB_URL`);
2. containers started with testcontainers when a Docker engine answers;
3. the local RabbitMQ server, and a SecantusDB started for this test session on a free port.

A missing broker fails the run with the reason: a skipped integration test proves nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass

import aio_pika

from shared.settings import DEV_AMQP_URL
from tools.embedded_mongo import EmbeddedMongo

log = logging.getLogger(__name__)

RABBITMQ_IMAGE = "rabbitmq:3.13.7-management"
MONGODB_IMAGE = "mongo:7.0.14"


@dataclass(frozen=True)
class Infrastructure:
    amqp_url: str
    mongodb_url: str
    source: str


def docker_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        client.ping()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def rabbitmq_container() -> Iterator[str]:
    from testcontainers.rabbitmq import RabbitMqContainer

    with RabbitMqContainer(RABBITMQ_IMAGE) as container:
        host = container.get_container_host_ip()
        port = container.get_exposed_port(container.port)
        yield f"amqp://{container.username}:{container.password}@{host}:{port}/"


@contextlib.contextmanager
def mongodb_container() -> Iterator[str]:
    """A single-node replica set: the suite needs transactions, which a standalone lacks."""
    from pymongo import MongoClient
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.waiting_utils import wait_for_logs

    container = DockerContainer(MONGODB_IMAGE).with_command("--replSet rs0 --bind_ip_all")
    container.with_exposed_ports(27017)
    with container:
        wait_for_logs(container, "Waiting for connections", timeout=60)
        host, port = container.get_container_host_ip(), container.get_exposed_port(27017)
        url = f"mongodb://{host}:{port}/?directConnection=true"
        client: MongoClient[dict[str, object]] = MongoClient(url)
        client.admin.command(
            "replSetInitiate", {"_id": "rs0", "members": [{"_id": 0, "host": "localhost:27017"}]}
        )
        client.close()
        yield url


async def _check_rabbitmq(url: str) -> None:
    connection = await asyncio.wait_for(aio_pika.connect(url), timeout=5)
    await connection.close()


@contextlib.contextmanager
def infrastructure() -> Iterator[Infrastructure]:
    with contextlib.ExitStack() as stack:
        docker = None

        def use_docker() -> bool:
            nonlocal docker
            if docker is None:
                docker = docker_answers()
            return docker

        amqp_url = os.environ.get("AMQP_URL")
        mongodb_url = os.environ.get("MONGODB_URL")
        sources = []
        if amqp_url:
            sources.append("rabbitmq from AMQP_URL")
        elif use_docker():
            amqp_url = stack.enter_context(rabbitmq_container())
            sources.append("rabbitmq container")
        else:
            amqp_url = DEV_AMQP_URL
            sources.append("local rabbitmq")
        try:
            asyncio.run(_check_rabbitmq(amqp_url))
        except Exception as error:
            raise RuntimeError(
                f"RabbitMQ is not reachable ({type(error).__name__}: {error}). Start the local "
                "server (`rabbitmq-server -detached`) or set AMQP_URL."
            ) from error

        if mongodb_url:
            sources.append("mongodb from MONGODB_URL")
        elif use_docker():
            mongodb_url = stack.enter_context(mongodb_container())
            sources.append("mongodb container")
        else:
            mongodb_url = stack.enter_context(EmbeddedMongo())
            sources.append("embedded SecantusDB")
        yield Infrastructure(amqp_url=amqp_url, mongodb_url=mongodb_url, source=", ".join(sources))
