#!/usr/bin/env bash
# Installs a CPU Vulkan driver that Dawn accepts (Mesa >= 25 lavapipe, from Debian's
# bookworm-backports) and the Vulkan loader, so that the webgpu tests run without a GPU.
# Bookworm's own Mesa 22.3 lavapipe is refused by Dawn ("shaderUniform*ArrayDynamicIndexing
# required"). Idempotent: when a new enough lavapipe is installed it says so and exits at once.
# Uses the same mirror as the machine's existing Debian source. Needs root (or sudo) to install.
set -euo pipefail

MIN_MESA_MAJOR=25
SUITE=bookworm-backports
LIST=/etc/apt/sources.list.d/lesionseg-bookworm-backports.sources

installed_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }

ready() {
  local mesa loader
  mesa="$(installed_version mesa-vulkan-drivers)"
  loader="$(installed_version libvulkan1)"
  [ -n "$loader" ] && [ -n "$mesa" ] && [ "${mesa%%.*}" -ge "$MIN_MESA_MAJOR" ] 2>/dev/null
}

if ready; then
  echo "lavapipe: mesa-vulkan-drivers $(installed_version mesa-vulkan-drivers) and libvulkan1 $(installed_version libvulkan1) already installed"
  exit 0
fi

if ! command -v apt-get >/dev/null || ! grep -qs 'VERSION_CODENAME=bookworm' /etc/os-release; then
  echo "lavapipe: this script installs from Debian bookworm-backports; this is not Debian bookworm." >&2
  echo "lavapipe: install Mesa >= ${MIN_MESA_MAJOR}'s Vulkan drivers (lavapipe) and the Vulkan loader with your package manager." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "lavapipe: needs root to install packages (no sudo)" >&2
    exit 1
  fi
fi

# The mirror of the existing Debian source (deb822 or one-line format); deb.debian.org otherwise.
mirror="$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
if [ -z "$mirror" ]; then
  mirror="$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"

if ! grep -rqs "$SUITE" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "lavapipe: adding $SUITE from $mirror ($LIST)"
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" "$SUITE" | $SUDO tee "$LIST" >/dev/null
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -t "$SUITE" mesa-vulkan-drivers libvulkan1 >/dev/null

if ! ready; then
  echo "lavapipe: installed mesa-vulkan-drivers $(installed_version mesa-vulkan-drivers), but Dawn needs Mesa >= $MIN_MESA_MAJOR" >&2
  exit 1
fi
echo "lavapipe: installed mesa-vulkan-drivers $(installed_version mesa-vulkan-drivers) and libvulkan1 $(installed_version libvulkan1)"
