#!/usr/bin/env bash
# Idempotent setup for a fresh Debian/Ubuntu machine that has only Node.js ≥ 20:
#   1. system libraries MLX links (libopenblas0-pthread, liblapack3) and ffmpeg for non-WAV audio;
#   2. pnpm through corepack (the version pinned in package.json's packageManager);
#   3. dependencies (frozen lockfile; @frost-beta/mlx's download script is not run) and the build.
# With --test it also installs Debian's chromium, which the bench report's browser test drives, and
# python3-numpy, which writes mlx-community's weights.npz layout for the model tests, and what the
# whisper.cpp peer needs (cmake, g++ and make build it from the nodejs-whisper package's source;
# GNU time reads each process's peak RSS).
# Where it cannot install something it prints the exact command to run and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
packages=(libopenblas0-pthread liblapack3 ffmpeg)
[ "${1:-}" = "--test" ] && packages+=(chromium python3-numpy cmake g++ make time)
log() { printf 'setup: %s\n' "$*" >&2; }
failed=0

# 1. System packages.
if command -v dpkg >/dev/null 2>&1; then
  missing=()
  for pkg in "${packages[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ]; then
      log "installing ${missing[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      log "missing system packages; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
      failed=1
    fi
  fi
  if ! command -v g++ >/dev/null 2>&1; then
    log "note: g++ not found; MLX graph compilation is disabled (slower). To enable: apt-get install -y g++"
  fi
else
  log "not a Debian system: install OpenBLAS, LAPACK and ffmpeg with your package manager"
fi

# 2. pnpm through corepack. Some registries serve pnpm's metadata without the signatures
#    corepack's built-in keys verify ("No compatible signature found"); then we retry with
#    COREPACK_INTEGRITY_KEYS=0, which skips that signature check (the tarball's integrity hash
#    is still checked). Once fetched, pnpm is cached and later runs need neither.
pnpm_ok() { corepack pnpm --version >/dev/null 2>&1; }
if ! command -v corepack >/dev/null 2>&1; then
  log "corepack not found (it ships with Node.js ≥ 16.9); run: npm install -g corepack@latest"
  exit 1
fi
if ! pnpm_ok; then
  export COREPACK_INTEGRITY_KEYS=0
  log "corepack could not verify pnpm's registry signature; fetching with COREPACK_INTEGRITY_KEYS=0"
  if ! pnpm_ok; then
    log "corepack cannot provide pnpm; run: npm install -g corepack@latest && corepack enable"
    exit 1
  fi
fi
corepack enable >/dev/null 2>&1 || log "note: 'corepack enable' failed (no write access); use 'corepack pnpm'"

# 3. Dependencies and build.
corepack pnpm install --frozen-lockfile
corepack pnpm build

exit "$failed"
