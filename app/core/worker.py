"""The worker process: runs procrastinate's worker and outlives database outages.

procrastinate's worker stops when its connection to PostgreSQL breaks (« Stopped worker on
all queues »). A worker that stops silently means every e-mail, reminder and promotion
waits for ever, so this loop opens the queue and starts the worker again, with a growing
pause, until SIGTERM or Ctrl-C asks it to stop. Jobs that a lost worker had started are
handed back to the queue by `retry_stalled_jobs`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import procrastinate
import psycopg
import psycopg_pool

from app.core.jobs import proc_app

log = logging.getLogger("maillage.worker")

# What a database outage looks like from procrastinate's side.
OUTAGE_ERRORS = (procrastinate.exceptions.ConnectorException, psycopg.Error,
                 psycopg_pool.PoolTimeout, OSError)
FIRST_PAUSE, MAX_PAUSE = 1.0, 20.0
STALLED_AFTER_SECONDS = 60


@proc_app.periodic(cron="* * * * *")
@proc_app.task(name="maillage.retry_stalled_jobs", queueing_lock="retry_stalled_jobs")
async def retry_stalled_jobs(timestamp: int) -> int:
    """Jobs left « doing » by a worker that died (no heartbeat for a minute) go back to the
    queue. Our jobs are idempotent, so running one again sends nothing twice."""
    stalled = await proc_app.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=STALLED_AFTER_SECONDS)
    for job in stalled:
        await proc_app.job_manager.retry_job(job)
    return len(stalled)


async def _serve_once(concurrency: int, stop: asyncio.Event, wait: bool) -> None:
    """Open the queue and run the worker until it ends by itself or `stop` is set."""
    async with proc_app.open_async():
        worker = asyncio.create_task(proc_app.run_worker_async(
            concurrency=concurrency, wait=wait, install_signal_handlers=False))
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait({worker, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if not worker.done():
            worker.cancel()  # procrastinate then stops gracefully: running jobs finish
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            return
        stopper.cancel()
        worker.result()  # re-raises what made it stop


async def serve(concurrency: int = 2, wait: bool = True, echo=print,
                stop: asyncio.Event | None = None) -> None:
    """Run the worker; after a database outage, run it again (SIGTERM/Ctrl-C to stop)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(RuntimeError, ValueError):  # not the main thread (tests)
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    pause = FIRST_PAUSE
    while not stop.is_set():
        started = loop.time()
        try:
            await _serve_once(concurrency, stop, wait)
            if stop.is_set() or not wait:
                return
            echo("Maillage : le worker s’est arrêté (base de données perdue ?) ; il repart.")
        except OUTAGE_ERRORS as exc:
            echo(f"Maillage : base de données injoignable ({type(exc).__name__}) ; "
                 f"nouvel essai dans {pause:.0f} s.")
            log.warning("worker lost the database: %s", exc)
        if loop.time() - started > 120:
            pause = FIRST_PAUSE  # it had run fine: a new outage starts from a short pause
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), pause)
        pause = min(pause * 2, MAX_PAUSE)


def run_forever(concurrency: int = 2, wait: bool = True, echo=print) -> None:
    asyncio.run(serve(concurrency, wait=wait, echo=echo))
