#!/usr/bin/env bash
# The "faults" section of docs/benchmarks.md (scripts/bench/faults.ts): starts the
# local 3-broker cluster unless it runs, and stops it afterwards (by pid, through
# kafka.sh) if it started it. Arguments go to faults.ts (--no-write).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/lib/bootstrap.sh
if ! bash scripts/kafka/kafka.sh status --cluster >/dev/null 2>&1; then
  bash scripts/kafka/kafka.sh start --cluster 3 >&2
  trap 'bash scripts/kafka/kafka.sh stop --cluster >&2' EXIT
fi
"$NODE24" --no-warnings scripts/bench/faults.ts "$@"
