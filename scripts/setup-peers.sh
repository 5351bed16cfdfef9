#!/usr/bin/env bash
# Debian packages the tests use as real peers: kcat (librdkafka),
# python3-oslo.messaging (confluent-kafka), and the reference compressors
# (lz4, zstd, python3-snappy). Installs only what is missing.
set -euo pipefail
missing=()
command -v kcat >/dev/null || missing+=(kcat)
/usr/bin/python3 -c "import oslo_messaging, confluent_kafka" 2>/dev/null || missing+=(python3-oslo.messaging python3-confluent-kafka)
/usr/bin/python3 -c "import snappy" 2>/dev/null || missing+=(python3-snappy)
command -v lz4 >/dev/null || missing+=(lz4)
command -v zstd >/dev/null || missing+=(zstd)
command -v gzip >/dev/null || missing+=(gzip)
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "peers: installing ${missing[*]}" >&2
SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
