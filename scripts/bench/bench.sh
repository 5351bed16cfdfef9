#!/usr/bin/env bash
# `npm run bench`: kafka-notify against its peers on the local broker
# (started here, and stopped afterwards, unless it already runs), then
# docs/benchmarks.md. Arguments go to scripts/bench/run.ts
# (--quick, --runs N, --only producers,listeners,latency,memory, --no-write).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/lib/bootstrap.sh
bash scripts/setup-peers.sh
if ! bash scripts/kafka/kafka.sh status >/dev/null 2>&1; then
  bash scripts/kafka/kafka.sh start >&2
  trap 'bash scripts/kafka/kafka.sh stop >&2' EXIT
fi
export NODE24 DENO BUN
"$NODE24" --no-warnings scripts/bench/run.ts "$@"
