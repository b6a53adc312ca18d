"""Where the declarations are evaluated: this process, a pool over the local cores, or Dask.

The portfolio is cut into partitions of consecutive declarations. Every engine yields each
partition's programs, partitions in input order, so the Parquet files are the same whichever ran.
Part files (checker.portfolio.tables) are written where the partition was evaluated when that
process sees the run's parts folder (`Parts.probe` tells it), else by the client.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from checker.portfolio.sources import Source
from checker.portfolio.worker import Program, Settings, evaluate_partition, init_process, partition_job

DASK_PARTITION = 64   # declarations per Dask task: large enough to amortise scheduling, small enough to balance
LOCAL_PARTITION = 32  # declarations per pool task


@dataclass(frozen=True)
class Parts:
    """The run's parts folder (inside OUTDIR) and the probe file whose presence says a process sees it."""

    folder: str
    probe: str


Partition = tuple[int, list[tuple[int, Source]]]


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def partitions(sources: list[Source], size: int) -> list[Partition]:
    numbered = list(enumerate(sources))
    return [(n, numbered[i:i + size]) for n, i in enumerate(range(0, len(numbered), size))]


def partition_size(engine: str, count: int, jobs: int) -> int:
    """Declarations per partition: a few partitions per worker at least, so the load balances."""
    size = DASK_PARTITION if engine == "dask" else LOCAL_PARTITION
    return max(1, min(size, -(-count // (jobs * 4))))


def run_local(sources: list[Source], settings: Settings, jobs: int, parts: Parts) -> Iterator[list[Program]]:
    size = partition_size("local", len(sources), jobs)
    todo = partitions(sources, size)
    if jobs <= 1 or len(sources) < 2:
        for number, part in todo:
            yield evaluate_partition(number, part, settings, parts.folder, parts.probe)
        return
    # fork shares the imported modules with the children; elsewhere spawn re-imports them.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    pool = ctx.Pool(jobs, initializer=init_process, initargs=(settings, (parts.folder, parts.probe)))
    try:
        yield from pool.imap(partition_job, todo)
        # Every result is in: let the workers finish their queue and exit. `with Pool()` would call
        # terminate(), which takes the task queue's read lock while an idle worker may hold it waiting
        # for work: seen once, a two-declaration run that never ended (the suite's 300 s timeout).
        pool.close()
        pool.join()
    finally:
        pool.terminate()   # after join, nothing left to stop; on an error or an early stop, the workers


def _with_bytes(part: list[tuple[int, Source]], limit: int) -> list[tuple[int, Source]]:
    """The partition with each declaration's bytes attached (`--send bytes`). A file that cannot be
    read here, or is over the size limit, is left to the worker, which reports it as for any path."""
    out = []
    for i, source in part:
        try:
            if os.path.getsize(source.path) <= limit:
                with open(source.path, "rb") as fh:
                    source = replace(source, data=fh.read(limit + 1))
        except OSError:
            pass
        out.append((i, source))
    return out


def run_dask(sources: list[Source], settings: Settings, jobs: int, scheduler: str | None, parts: Parts,
             send_bytes: bool = False) -> Iterator[list[Program]]:
    """Evaluate on a Dask cluster: the one at `scheduler`, else a LocalCluster of `jobs` workers.

    Workers read the declarations from their paths (a folder every worker sees), or get their bytes
    with the task (`send_bytes`). A few partitions per worker are in flight at once; their programs
    are taken in order.
    """
    from distributed import Client, LocalCluster

    from checker.locations import MAX_BYTES

    cluster: Any = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})) or jobs)
        settings_future = client.scatter(settings, broadcast=True)
        pending: deque[Any] = deque()
        window = workers * 3
        for number, part in partitions(sources, partition_size("dask", len(sources), workers)):
            if send_bytes:
                part = _with_bytes(part, MAX_BYTES)
            pending.append(client.submit(evaluate_partition, number, part, settings_future, parts.folder,
                                         parts.probe, pure=False))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
