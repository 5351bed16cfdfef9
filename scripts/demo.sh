#!/usr/bin/env bash
# The main job: send and receive notifications. Uses the broker KAFKA_URL
# names, or starts (and afterwards stops) a local one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/bootstrap.sh
STARTED_KAFKA=0
if [[ -z "${KAFKA_URL:-}" ]]; then
  bash scripts/kafka/kafka.sh status >/dev/null 2>&1 || STARTED_KAFKA=1
  bash scripts/kafka/kafka.sh start >&2
  trap '[[ $STARTED_KAFKA == 1 ]] && bash scripts/kafka/kafka.sh stop >&2' EXIT
  export KAFKA_URL="kafka://127.0.0.1:${KAFKA_PORT_BASE:-9092}"
fi
"$NODE24" --no-warnings scripts/demo.ts "$@"
