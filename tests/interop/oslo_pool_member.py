#!/usr/bin/python3
"""One real oslo.messaging notification listener in a shared pool.

For tests/integration/pool-interop.test.ts: a Python member of a Kafka
consumer group that kafka-notify listeners join too. It runs
oslo_messaging.get_notification_listener (Kafka driver, confluent-kafka /
librdkafka, the assignors librdkafka offers by default) and reports, one
JSON object per stdout line:

  {"started": true}                       listener.start() returned
  {"assigned": [[topic, partition], ...]} the group gave it partitions
  {"revoked": [[topic, partition], ...]}  the group took them back
  {"record": [topic, partition, offset]}  librdkafka handed over a record
  {"notification": {...}}                 the endpoint received one
  {"done": true, "received": n}           it stopped

Observing assignments and records needs two pass-through wrappers: the
driver's rebalance callbacks, and a Consumer subclass whose consume()
returns what librdkafka returned after noting where each record came from.
The driver's behaviour is unchanged.

It stops when stdin closes (or after --timeout seconds). Diagnostics go
to stderr. Run it with Debian's /usr/bin/python3 (python3-oslo.messaging).
"""

import argparse
import json
import sys
import threading

import confluent_kafka
from oslo_config import cfg
import oslo_messaging
from oslo_messaging._drivers import impl_kafka

_lock = threading.Lock()


def emit(obj):
    with _lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def log(msg):
    sys.stderr.write("oslo_pool_member: %s\n" % msg)
    sys.stderr.flush()


def observe_driver():
    """Report assignments and consumed records without changing them."""
    conn = impl_kafka.ConsumerConnection
    on_assign, on_revoke = conn.on_assign, conn.on_revoke

    def assigned(self, consumer, partitions):
        emit({"assigned": [[p.topic, p.partition] for p in partitions]})
        return on_assign(self, consumer, partitions)

    def revoked(self, consumer, partitions):
        emit({"revoked": [[p.topic, p.partition] for p in partitions]})
        return on_revoke(self, consumer, partitions)

    conn.on_assign, conn.on_revoke = assigned, revoked

    class ObservedConsumer(confluent_kafka.Consumer):
        def consume(self, *args, **kwargs):
            messages = super().consume(*args, **kwargs)
            for m in messages or []:
                if m is not None and m.error() is None:
                    emit({"record": [m.topic(), m.partition(), m.offset()]})
            return messages

    impl_kafka.confluent_kafka.Consumer = ObservedConsumer


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--pool", required=True)
    parser.add_argument("--priority", default="info")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()

    observe_driver()
    conf = cfg.ConfigOpts()
    conf(args=[], project="oslo_pool_member", default_config_files=[],
         default_config_dirs=[])

    received = [0]

    def on_notification(self, ctxt, publisher_id, event_type, payload,
                        metadata):
        emit({"notification": {"priority": args.priority,
                               "publisher_id": publisher_id,
                               "event_type": event_type,
                               "payload": payload}})
        received[0] += 1
        return oslo_messaging.NotificationResult.HANDLED

    endpoint = type("Endpoint", (object,),
                    {args.priority: on_notification})()
    transport = oslo_messaging.get_notification_transport(conf, url=args.url)
    listener = oslo_messaging.get_notification_listener(
        transport, [oslo_messaging.Target(topic=args.topic)], [endpoint],
        executor="threading", pool=args.pool)

    stdin_closed = threading.Event()

    def watch_stdin():
        sys.stdin.read()
        stdin_closed.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        listener.start()  # the driver polls for up to 5 s in here
        emit({"started": True})
        if not stdin_closed.wait(args.timeout):
            log("no stop request within %s s; stopping" % args.timeout)
    finally:
        try:
            listener.stop()
            listener.wait()
        finally:
            transport.cleanup()
            emit({"done": True, "received": received[0]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
