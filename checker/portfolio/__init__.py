"""Portfolios: many declarations evaluated with one catalog, streamed to Parquet and rolled up.

    sources.py   which declarations (a folder, or a manifest CSV with grouping columns)
    adapter.py   the one place that reads the result document (statuses, counts, score, words)
    worker.py    one declaration -> the rows of one program (runs in a pool or on Dask workers)
    tables.py    the Parquet layout and its streaming writer
    rollup.py    running totals -> summary.json, and the change since a previous run
    engines.py   the local process pool and Dask
    page.py      the roll-up page (HTML, PDF) and workbook (XLSX)
    run.py       the whole run, as `resguarda portfolio` calls it
"""
