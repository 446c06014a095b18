#!/usr/bin/env bash
# Runs the device bundle (tools/gpu/make-device-bundle.sh) on the GPU machine, which has no
# Node.js: webgpu-bench (W1, W2, W3 with a per-kernel profile) on the NVIDIA Vulkan driver, then
# the PyTorch CUDA twin (tools/reference/torch_bench.py --device cuda) in the same call, so the
# ratio is measured on the same machine state. Everything lands in $OUT; under 5 minutes.
#
#   bash dist/device-bundle/run-device-bench.sh            (on the device; $OUT is set there)
# Environment: WORKLOADS (W1,W2,W3), REPS (3), BENCH_ARGS (extra webgpu-bench flags, e.g. --tiny),
# TORCH_DEVICE (cuda), TORCH_ARGS (extra torch_bench flags), BENCH_SECONDS (240: the whole budget).
set -uo pipefail
bundle="$(cd "$(dirname "$0")" && pwd)"
out="${OUT:-$bundle/results}"
mkdir -p "$out"
budget="${BENCH_SECONDS:-240}"

node="$bundle/node"
if [ ! -x "$node" ]; then
  gunzip -c "$bundle/node.gz" >"$node.tmp" && chmod +x "$node.tmp" && mv "$node.tmp" "$node"
fi
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ]; then export VK_DRIVER_FILES="$nvidia_icd"; fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
{
  echo "date: $(date -u +%FT%TZ)"
  echo "node: $("$node" --version)"
  echo "VK_DRIVER_FILES: ${VK_DRIVER_FILES:-(system default)}"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "nvidia-smi: not available"
} >"$out/machine.txt"

# 60 % of the budget for the GPU run (the point of the call), 30 % for the PyTorch twin.
# shellcheck disable=SC2086 # BENCH_ARGS / TORCH_ARGS are word lists on purpose
timeout "$((budget * 6 / 10))" "$node" "$bundle/webgpu-bench.mjs" --workloads "${WORKLOADS:-W1,W2,W3}" --reps "${REPS:-3}" \
  --profile --json "$out/webgpu.json" ${BENCH_ARGS:-} >"$out/webgpu.txt" 2>&1
echo "webgpu-bench exit status $?" >>"$out/webgpu.txt"
# shellcheck disable=SC2086
timeout "$((budget * 3 / 10))" python3 "$bundle/torch_bench.py" --device "${TORCH_DEVICE:-cuda}" --workloads "${WORKLOADS:-W1,W2,W3}" \
  --reps "${REPS:-3}" --window-batch 64 ${TORCH_ARGS:-} >"$out/torch.jsonl" 2>"$out/torch.err"
echo "torch_bench exit status $?" >>"$out/torch.err"
grep -v '^Warning' "$out/webgpu.txt"
cat "$out/torch.jsonl" "$out/torch.err"
