#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (npm
# packages, runtimes, kcat and oslo.messaging from Debian, Kafka's jars),
# starts a local Kafka unless KAFKA_URL names one, runs every suite, and
# stops what it started.
#
#   npm test            everything
#   npm test -- unit    unit tests only (no broker)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WHAT="${1:-all}"

say() { printf '\n== %s\n' "$*"; }

say "dependencies"
source scripts/lib/bootstrap.sh
NODE="$NODE24"

bash scripts/setup-peers.sh
if [[ "$WHAT" == "unit" ]]; then
  "$NODE" --test tests/unit/*.test.ts
  exit
fi

say "static checks"
npx tsc --noEmit -p .
npx biome check .

STARTED_KAFKA=0
stop_kafka() { [[ "$STARTED_KAFKA" == 1 ]] && bash scripts/kafka/kafka.sh stop || true; }
trap stop_kafka EXIT
if [[ -z "${KAFKA_URL:-}" ]]; then
  say "local Kafka"
  if ! bash scripts/kafka/kafka.sh status >/dev/null 2>&1; then STARTED_KAFKA=1; fi
  bash scripts/kafka/kafka.sh start
fi

say "Node 24: unit and integration tests"
"$NODE" --test --test-concurrency=1 --test-timeout=300000 tests/unit/*.test.ts tests/integration/*.test.ts
