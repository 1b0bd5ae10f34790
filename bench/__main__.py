import os

# Before NumPy loads its BLAS: pools sized at load time stay single-threaded even where
# threadpoolctl is missing (the runner limits them again with it when it is there).
# NUM_CPU_THREADS and DEV are tinygrad's: one thread, on the CPU like everyone else.
for _var, _value in (("OMP_NUM_THREADS", "1"), ("OPENBLAS_NUM_THREADS", "1"),
                     ("MKL_NUM_THREADS", "1"), ("NUM_CPU_THREADS", "1"), ("DEV", "CPU")):
    os.environ.setdefault(_var, _value)

from bench.run import main  # noqa: E402

main()
