#!/usr/bin/env bash
# Every GPU check of issues 4 and 5 in one run on the lent GPU machine (device tool), where
# nothing can be installed from a registry. Build the wheel here first, then run this there:
#
#   maturin build --release --out .whl          # here (.whl/ is ignored by git)
#   git show 9166a48:python/assay/spectral_kernels.cu > .whl/spectral_kernels_before.cu  # optional
#   run(command="bash benches/gpu_check.sh", carry=[".whl"], timeout_s=450)
#
# The optional copy of an earlier spectral_kernels.cu (9166a48: three passes a reflection, the one
# timed in benches/RESULTS.md's first GPU run) is timed beside the current kernels.
#
# The machine's python3 has CuPy, torch, transformers, pytest, hypothesis, xxhash, scipy and
# pandas; assay comes from the carried wheel. Each step has its own time limit, sized so that the
# whole run fits one short lease (tests, then the benchmark table, then the sanitizers), and
# writes its log to $OUT as it goes, so a step cut short still reports what it did.
set -uo pipefail
out="${OUT:-/tmp/gpu-check}"
mkdir -p "$out"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/assay-*.whl || exit 1
export PYTHONPATH=/tmp/site PYTHONUNBUFFERED=1
step() { echo "== $1: $(date -u +%T)" | tee -a "$out/steps.txt"; }
step machine
{ nvidia-smi -L; nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,driver_version --format=csv
  lscpu | grep -E "^Model name|^CPU\(s\)"; python3 -c "import cupy, torch; print(cupy.__version__, torch.__version__)"
} 2>&1 | tee "$out/gpu.txt"
# The GPU tests, and the host-kernel tests beside them (the same kernels, compiled for the CPU).
step tests
timeout 120 python3 -m pytest -q -p no:cacheprovider -rs tests/test_dedup_gpu.py \
    tests/test_spectral_gpu.py tests/test_cuda_sources.py tests/test_spectral.py tests/test_erank.py \
    2>&1 | tee "$out/tests.log"
step bench
before=$(ls .whl/spectral_kernels_before.cu 2>/dev/null | sed 's/^/--kernels-before /')
timeout 200 python3 benches/bench_gpu.py --text-mb "${TEXT_MB:-500}" $before 2>&1 | tee "$out/bench_gpu.md"
# Races, barrier misuse and out-of-bounds accesses on the device itself (on the host,
# tests/test_spectral_gpu_threads.py checks the barriers under ThreadSanitizer and
# tests/test_host_kernels_asan.py the bounds under AddressSanitizer).
for tool in memcheck racecheck synccheck; do
    step "$tool"
    large=$([ "$tool" = memcheck ] && echo --large || true)
    timeout 40 compute-sanitizer --tool "$tool" --error-exitcode 3 \
        python3 benches/sanitize_gpu.py $large 2>&1 | tail -4 | tee -a "$out/sanitizer.log"
    echo "$tool exit ${PIPESTATUS[0]}" | tee -a "$out/sanitizer.log"
done
step done
