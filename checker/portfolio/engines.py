"""Where the declarations are evaluated: this process, a pool over the local cores, or Dask.

Every engine yields the programs in input order, so the Parquet files are the same whichever ran.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from typing import Any

from checker.portfolio.sources import Source
from checker.portfolio.worker import Program, Settings, evaluate_job, evaluate_partition, evaluate_source, init_process

PARTITION = 64   # declarations per Dask task: large enough to amortise scheduling, small enough to balance


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run_local(sources: list[Source], settings: Settings, jobs: int) -> Iterator[Program]:
    numbered = list(enumerate(sources))
    if jobs <= 1 or len(sources) < 2:
        for i, source in numbered:
            yield evaluate_source(i, source, settings)
        return
    # fork shares the imported modules with the children; elsewhere spawn re-imports them.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    chunk = max(1, min(16, len(sources) // (jobs * 8) or 1))
    with ctx.Pool(jobs, initializer=init_process, initargs=(settings,)) as pool:
        yield from pool.imap(evaluate_job, numbered, chunksize=chunk)


def run_dask(sources: list[Source], settings: Settings, jobs: int, scheduler: str | None) -> Iterator[Program]:
    """Evaluate on a Dask cluster: the one at `scheduler`, else a LocalCluster of `jobs` workers.

    Workers read the declarations from their paths (a folder every worker sees); a few partitions
    per worker are in flight at once and their results are taken in order.
    """
    from distributed import Client, LocalCluster

    cluster: Any = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})) or jobs)
        numbered = list(enumerate(sources))
        parts = [numbered[i:i + PARTITION] for i in range(0, len(numbered), PARTITION)]
        settings_future = client.scatter(settings, broadcast=True)
        pending: deque[Any] = deque()
        window = workers * 3
        for part in parts:
            pending.append(client.submit(evaluate_partition, part, settings_future, pure=False))
            if len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
