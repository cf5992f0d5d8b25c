#!/usr/bin/env bash
# Every GPU check of issues 4 and 5 in one run on the lent GPU machine (device tool), where
# nothing can be installed from a registry. Build the wheel here first, then run this there:
#
#   maturin build --release --out .whl          # here (.whl/ is ignored by git)
#   run(command="bash benches/gpu_check.sh", carry=[".whl"], timeout_s=540)
#
# The machine's python3 has CuPy, torch, pytest, hypothesis, xxhash, scipy and pandas; assay
# comes from the carried wheel. Writes the test log and the benchmark table to $OUT.
set -euo pipefail
out="${OUT:-/tmp/gpu-check}"
mkdir -p "$out"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/assay-*.whl
export PYTHONPATH=/tmp/site PYTHONUNBUFFERED=1
(nvidia-smi -L || echo "no nvidia-smi") | tee "$out/gpu.txt"
lscpu | grep -E "^Model name|^CPU\(s\)" | tee -a "$out/gpu.txt"
# The GPU tests, and the host-kernel tests beside them (the same kernels, compiled for the CPU).
python3 -m pytest -q -p no:cacheprovider tests/test_dedup_gpu.py tests/test_spectral_gpu.py tests/test_cuda_sources.py \
    tests/test_spectral.py tests/test_erank.py \
    2>&1 | tee "$out/tests.log" || true
# Races, barrier misuse and out-of-bounds accesses on the device itself (on the host,
# tests/test_spectral_gpu_threads.py checks the barriers under ThreadSanitizer and
# tests/test_host_kernels_asan.py the bounds under AddressSanitizer).
for tool in memcheck racecheck synccheck; do
    large=$([ "$tool" = memcheck ] && echo --large || true)
    timeout 120 compute-sanitizer --tool "$tool" --error-exitcode 3 \
        python3 benches/sanitize_gpu.py $large 2>&1 | tail -4 | tee -a "$out/sanitizer.log" || true
done
timeout 360 python3 benches/bench_gpu.py 2>&1 | tee "$out/bench_gpu.md"
