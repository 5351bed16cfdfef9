#!/usr/bin/python3
"""The Python side of one notification bus: an OpenStack-style "compute"
service using oslo.messaging's own Kafka driver, next to billing_service.ts.

  KAFKA_URL=kafka://127.0.0.1:9092 TOPIC=notifications python3 compute_service.py

- publishes compute.instance.create.end (priority info) for every line
  "create <instance_id>" read on stdin;
- listens in pool "compute" for billing.* notifications (sent by the
  TypeScript service) and prints one line per notification received.

Needs python3-oslo.messaging (Debian) or `pip install oslo.messaging
confluent-kafka`. Output lines are "python ..." so they can be told apart.
"""

import json
import os
import sys

from oslo_config import cfg
import oslo_messaging

URL = os.environ.get("KAFKA_URL", "kafka://127.0.0.1:9092")
TOPIC = os.environ.get("TOPIC", "notifications")


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class BillingEndpoint(object):
    """oslo dispatches by priority: info() gets info notifications."""

    filter_rule = oslo_messaging.NotificationFilter(event_type=r"^billing\.")

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        say("python received %s from %s %s" % (
            event_type, publisher_id, json.dumps(payload, sort_keys=True)))
        return oslo_messaging.NotificationResult.HANDLED


def main():
    conf = cfg.ConfigOpts()
    conf(args=[], project="compute", default_config_files=[],
         default_config_dirs=[])
    transport = oslo_messaging.get_notification_transport(conf, url=URL)
    notifier = oslo_messaging.Notifier(transport, publisher_id="compute.host1",
                                       driver="messagingv2", topics=[TOPIC])
    listener = oslo_messaging.get_notification_listener(
        transport, [oslo_messaging.Target(topic=TOPIC)], [BillingEndpoint()],
        executor="threading", pool="compute")
    listener.start()
    say("python ready")
    try:
        for line in sys.stdin:
            words = line.split()
            if len(words) == 2 and words[0] == "create":
                notifier.info({"request_id": "req-" + words[1]},
                              "compute.instance.create.end",
                              {"instance_id": words[1], "flavor": "m1.small"})
                say("python sent compute.instance.create.end %s" % words[1])
    finally:
        listener.stop()
        listener.wait()
        transport.cleanup()
        say("python stopped")


if __name__ == "__main__":
    main()
