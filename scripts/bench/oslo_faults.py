#!/usr/bin/python3
"""Fault benchmark peer: the Python oslo.messaging Kafka notifier (librdkafka
underneath, its defaults) sending numbered notifications at a steady rate
while the caller injects a broker fault.

librdkafka's delivery reports are what the driver ignores: the peer wraps the
driver's producer to attach one to every produce, so it can tell which
notifications failed and how long the longest one waited.

Argument: one JSON object {broker, topic (without .info), rate, seconds}.
Prints `STARTED` once sending starts, then one line `RESULT {json}`:
{sent, failed: [seq...], errors: {name: n}, longestWaitMs}. Run with /usr/bin/python3.
"""
import json
import sys
import time

from oslo_config import cfg
import oslo_messaging


def main():
    c = json.loads(sys.argv[1])
    conf = cfg.ConfigOpts()
    conf(args=[], project="oslo_faults", default_config_files=[], default_config_dirs=[])
    transport = oslo_messaging.get_notification_transport(conf, url="kafka://%s" % c["broker"])
    notifier = oslo_messaging.Notifier(transport, publisher_id="bench.faults",
                                       driver="messagingv2", topics=[c["topic"]])
    notifier.info({}, "fault.warmup", {"seq": -1})
    pconn = transport._driver.pconn
    pconn.producer.flush()
    real = pconn.producer
    state = {"failed": [], "errors": {}, "longest": 0.0, "current": -1}

    class Reporting(object):
        """The driver's producer, with a delivery report on every produce."""

        def produce(self, topic, value=None, *args, **kwargs):
            seq, start = state["current"], time.monotonic()

            def report(err, _msg):
                state["longest"] = max(state["longest"], time.monotonic() - start)
                if err is not None:
                    state["failed"].append(seq)
                    name = err.name() if hasattr(err, "name") else str(err)
                    state["errors"][name] = state["errors"].get(name, 0) + 1
            try:
                return real.produce(topic, value, *args, on_delivery=report, **kwargs)
            except Exception as e:  # the driver logs and drops it: a failure all the same
                state["failed"].append(seq)
                name = type(e).__name__
                state["errors"][name] = state["errors"].get(name, 0) + 1
                raise

        def __getattr__(self, name):
            return getattr(real, name)

    pconn.producer = Reporting()
    total = int(c["rate"] * c["seconds"])
    sys.stdout.write("STARTED\n")
    sys.stdout.flush()
    t0 = time.monotonic()
    for i in range(total):
        delay = t0 + i / float(c["rate"]) - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        state["current"] = i
        notifier.info({}, "fault.test", {"seq": i})
    real.flush(200)
    transport.cleanup()
    sys.stdout.write("RESULT " + json.dumps({
        "sent": total, "failed": state["failed"], "errors": state["errors"],
        "longestWaitMs": round(state["longest"] * 1000)}) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
