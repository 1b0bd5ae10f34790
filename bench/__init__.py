"""Benchmarks of ember against PyTorch and other Python autograd libraries.

``python -m bench --help``; the workloads and the method are described in ``bench.run``.
"""
