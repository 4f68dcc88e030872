"""The server mode's transport: Dramatiq on RabbitMQ (or Redis). ADR 0011 says why.

The message carries only the job's id; the ``jobs`` table holds everything else. Dramatiq
acknowledges a message after the actor returns, so a worker killed mid-job leaves its message
unacknowledged and the broker hands it to another worker; ``runner.execute`` makes that safe.
An attempt that fails unexpectedly raises, and Dramatiq's retry middleware sends the message
again with exponential backoff (``MAX_ATTEMPTS`` in all).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from functools import lru_cache
from typing import Any

from soupwatch.config import Settings, load_settings
from soupwatch.errors import ConfigError, MissingExtra, NotFoundError
from soupwatch.jobs.runner import MAX_ATTEMPTS, execute
from soupwatch.store.db import Store

QUEUE_ENV = "SOUPWATCH_QUEUE"
"""The queue's name (default ``soupwatch``): separate installations on one broker."""
ACTOR = "soupwatch_job"
TIME_LIMIT_MS = 6 * 3600 * 1000
"""A job running longer than this is interrupted (a full NVD sync takes well under an hour)."""


def queue_name() -> str:
    """The queue jobs go to (``SOUPWATCH_QUEUE``, else ``soupwatch``)."""
    return os.environ.get(QUEUE_ENV) or "soupwatch"


@lru_cache(maxsize=4)
def _broker(url: str) -> Any:
    try:
        import dramatiq
        from dramatiq.middleware import CurrentMessage
    except ImportError as err:  # pragma: no cover - dramatiq is a core dependency
        raise MissingExtra("the job queue (SOUPWATCH_BROKER_URL)", "jobs") from err
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker: Any = RabbitmqBroker(url=url)
    elif url.startswith(("redis://", "rediss://")):
        try:
            from dramatiq.brokers.redis import RedisBroker
        except ImportError as err:
            raise MissingExtra("a redis:// broker", "redis") from err
        broker = RedisBroker(url=url)  # type: ignore[no-untyped-call]
    else:
        raise ConfigError(
            f"SOUPWATCH_BROKER_URL must be amqp://… (RabbitMQ) or redis://…, not {url[:40]!r}"
        )
    broker.add_middleware(CurrentMessage())
    dramatiq.set_broker(broker)
    dramatiq.actor(
        actor_name=ACTOR,
        queue_name=queue_name(),
        broker=broker,
        max_retries=MAX_ATTEMPTS - 1,
        min_backoff=1000,
        max_backoff=60_000,
        time_limit=TIME_LIMIT_MS,
    )(_run_job)
    return broker


@lru_cache(maxsize=1)
def _worker_store(url: str) -> Store:
    return Store.open(load_settings())


def _run_job(job_id: int) -> None:
    """The actor: one attempt at the job (runner.execute), in the worker's process."""
    from dramatiq.middleware import CurrentMessage

    settings = load_settings()
    message = CurrentMessage.get_current_message()
    retries = int(message.options.get("retries", 0)) if message is not None else 0
    store = _worker_store(settings.database_url)
    try:
        execute(store, settings, job_id, final=retries >= MAX_ATTEMPTS - 1)
    except NotFoundError:  # a message for a job this database does not hold: drop it
        logging.getLogger(__name__).warning(
            "no job %s in %s: message dropped", job_id, store.dialect
        )


def send(url: str, job_id: int) -> None:
    """Put a job's id on the queue."""
    broker = _broker(url)
    broker.get_actor(ACTOR).send(job_id)


def run_worker(
    settings: Settings, *, threads: int = 1, stop: threading.Event | None = None
) -> None:
    """Consume jobs until SIGTERM / SIGINT (or ``stop``): one message per thread at a time."""
    from dramatiq import Worker

    if not settings.broker_url:
        raise ConfigError("soupwatch worker needs SOUPWATCH_BROKER_URL (amqp://… or redis://…)")
    Store.open(settings).close()  # migrate before the first message
    broker = _broker(settings.broker_url)
    worker = Worker(broker, worker_threads=threads, queues={queue_name()})
    worker.queue_prefetch = threads  # a message waits on the broker, not behind a busy thread
    done = stop or threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    worker.start()
    try:
        done.wait()
    finally:
        worker.stop()
        broker.close()
