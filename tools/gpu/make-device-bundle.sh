#!/usr/bin/env bash
# Builds a self-contained folder that runs tools/bench/webgpu-bench.ts on a machine with a GPU
# but no Node.js and no package registry (the lent GPU machine): the benchmark bundled by esbuild
# into one .mjs, the wasm files beside it, Dawn's dawn.node with libvulkan.so.1 beside it (Dawn
# looks there first), a gzipped Node binary, and run-device-bench.sh. Checks the total stays
# under the 64 MiB that travel to the device (with the working tree).
#
#   tools/gpu/make-device-bundle.sh [OUT_DIR]    (default dist/device-bundle, git-ignored)
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-dist/device-bundle}"
limit_mib=60 # of the 64 MiB per device call; the working tree (~2.5 MiB) travels too

arch="$(node -p 'process.platform + "-" + process.arch')"
dawn="node_modules/webgpu/dist/${arch}/dawn.node"
[ -f "$dawn" ] || { echo "make-device-bundle: $dawn not found (is the optional dependency webgpu installed? npm ci)" >&2; exit 1; }
vulkan=""
for d in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
  if [ -e "$d/libvulkan.so.1" ]; then vulkan="$(readlink -f "$d/libvulkan.so.1")"; break; fi
done
[ -n "$vulkan" ] || { echo "make-device-bundle: no libvulkan.so.1 on this machine (apt-get install libvulkan1)" >&2; exit 1; }

tmp="${out}.tmp"
rm -rf "$tmp"
mkdir -p "$tmp/dist/${arch}"
# webgpu's index.js requires dist/<platform-arch>/dawn.node relative to itself: in the bundle, relative to the .mjs.
node_modules/.bin/esbuild tools/gpu/device-bench-entry.mjs --bundle --platform=node --format=esm --target=node20 \
  --outfile="$tmp/webgpu-bench.mjs" --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
cp "$dawn" "$tmp/dist/${arch}/dawn.node"
cp "$vulkan" "$tmp/dist/${arch}/libvulkan.so.1"
cp libs/models/src/wasm/*.wasm "$tmp/"
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$tmp/" 2>/dev/null || true
gzip -9 -c "$(readlink -f "$(command -v node)")" >"$tmp/node.gz"
cp tools/gpu/run-device-bench.sh tools/reference/torch_bench.py tools/reference/torch_unet_parity.py "$tmp/"
node --version >"$tmp/NODE_VERSION"

size_mib=$(( $(du -sb "$tmp" | cut -f1) / 1048576 ))
if [ "$size_mib" -ge "$limit_mib" ]; then
  echo "make-device-bundle: $size_mib MiB is over the $limit_mib MiB budget" >&2
  du -sh "$tmp"/* "$tmp"/dist/*/* >&2
  exit 1
fi
rm -rf "$out"
mv "$tmp" "$out"
echo "make-device-bundle: $out ($size_mib MiB): $(cd "$out" && ls | tr '\n' ' ')"
