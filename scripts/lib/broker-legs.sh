#!/usr/bin/env bash
# The legs of `npm test` that start brokers of their own, as a command, so the
# test script's watchdog can run each in a process group of its own:
#
#   bash scripts/lib/broker-legs.sh faults    the fault suite on a 3-broker Kafka 3.9 cluster
#   bash scripts/lib/broker-legs.sh kafka4    core, KIP-848 (tests/kafka4) and fault tests on Kafka 4 (single broker and cluster)
#
# The brokers run in sessions of their own (kafka.sh), so this script stops them
# on every exit, including the TERM the watchdog sends.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
eval "$(bash scripts/runtimes.sh paths)"
FAULTS=(tests/faults/*.test.ts)
KAFKA4_VERSION="${KAFKA4_VERSION:-4.4.0}"
NODE_FAULTS=("$NODE24" --disable-warning=TimeoutNegativeWarning --test --test-reporter=spec --test-concurrency=1 --test-timeout="${KN_TEST_TIMEOUT_MS:-300000}")

k4() { # k4 single|cluster kafka.sh-args...: kafka.sh on the Kafka 4 brokers (state dirs and ports apart from 3.9's)
  local mode="$1"; shift
  if [[ "$mode" == cluster ]]; then
    KAFKA_VERSION="$KAFKA4_VERSION" KAFKA_STATE_DIR="$ROOT/.cache/kafka/cluster-$KAFKA4_VERSION" \
      KAFKA_PORT_BASE="${KAFKA4_CLUSTER_PORT_BASE:-19292}" bash scripts/kafka/kafka.sh "$@" --cluster 3
  else
    KAFKA_VERSION="$KAFKA4_VERSION" KAFKA_STATE_DIR="$ROOT/.cache/kafka/run-$KAFKA4_VERSION" \
      KAFKA_PORT_BASE="${KAFKA4_PORT_BASE:-9292}" bash scripts/kafka/kafka.sh "$@" --single
  fi
}

case "${1:-}" in
  faults)
    cleanup() { bash scripts/kafka/kafka.sh stop --cluster >/dev/null 2>&1 || true; }
    trap cleanup EXIT
    trap 'exit 143' TERM INT
    bash scripts/kafka/kafka.sh start --cluster 3 || exit 1
    "${NODE_FAULTS[@]}" "${FAULTS[@]}"
    ;;
  kafka4)
    cleanup() { k4 cluster stop >/dev/null 2>&1 || true; k4 single stop >/dev/null 2>&1 || true; }
    trap cleanup EXIT
    trap 'exit 143' TERM INT
    k4 single start && k4 cluster start || exit 1
    KAFKA_STATE_DIR="$ROOT/.cache/kafka/run-$KAFKA4_VERSION" KAFKA_CLUSTER_STATE_DIR="$ROOT/.cache/kafka/cluster-$KAFKA4_VERSION" \
      "${NODE_FAULTS[@]}" tests/integration/notify.test.ts tests/integration/delivery.test.ts tests/kafka4/*.test.ts "${FAULTS[@]}"
    ;;
  *)
    echo "usage: scripts/lib/broker-legs.sh faults|kafka4" >&2
    exit 2
    ;;
esac
