"""Benchmarks of the running app, never part of `make test`: `python -m bench.run`.

`seed` fills a database with 100,000 listings, `bare` is the floor to compare with, `run` drives
both servers with a loopback load tool and writes its figures to `bench/out/`.
"""
