/**
 * Differential suite: the real oslo.messaging (Debian's python3-oslo.messaging,
 * driven by tests/interop/oslo_diff.py in one Python process, no broker) and
 * kafka-notify on the same generated inputs:
 *
 *  - envelopes both ways: our bytes equal oslo's for the same notification
 *    (message_id and timestamp fixed), oslo reads our bytes as it reads its
 *    own, and oslo's bytes decoded and re-encoded by us equal themselves;
 *  - transport URLs: hosts, credentials, vhost and query options;
 *  - configuration files: notification URL, topics, drivers, Kafka options;
 *  - filters: NotificationFilter's answers on the same notifications.
 *
 * Every difference must be an expected one (EXPECTED below, with its reason).
 * OSLO_PYTHON overrides the interpreter (default /usr/bin/python3).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { osloCodec } from "../../src/codec/payload.ts";
import { pythonJsonLoads } from "../../src/codec/python-json-parse.ts";
import { OPTION_TABLE } from "../../src/config/options-table.ts";
import { loadOsloConfigFile } from "../../src/config/oslo-conf.ts";
import { resolveTransport } from "../../src/config/resolve.ts";
import { brokerList } from "../../src/config/url.ts";
import { redactContext } from "../../src/message/context.ts";
import { compileFilter, type FilterRule } from "../../src/message/filter.ts";
import type { Notification } from "../../src/message/notification.ts";
import { normalisePriority, type Priority } from "../../src/message/priority.ts";
import { kafkaTopic } from "../../src/message/topic.ts";
import {
  type ConfigCase,
  configCases,
  type EnvelopeCase,
  envelopeCases,
  type FilterCase,
  filterCases,
  type UrlCase,
  urlCases,
} from "./differential-cases.ts";

const PYTHON = process.env.OSLO_PYTHON ?? "/usr/bin/python3";
const ORACLE = fileURLToPath(new URL("./oslo_diff.py", import.meta.url));

/**
 * Differences we keep, by case feature and kind, with the reason. A case
 * that differs from oslo must carry one of these features.
 */
const EXPECTED: Record<string, { kinds: string[]; reason: string }> = {
  "integral-float": {
    kinds: ["envelope", "envelope-roundtrip"],
    reason: "a JS number cannot tell 2.0 from 2: a Python float with an integral value below 1e16 comes back as an int (documented)",
  },
  "integer-key": {
    kinds: ["envelope", "envelope-roundtrip"],
    reason: "JavaScript objects list integer-like keys first, in ascending order; Python keeps insertion order (documented)",
  },
  ipv6: {
    kinds: ["url"],
    reason:
      'oslo\'s driver writes an IPv6 broker without brackets ("::1:9092") and urlparse refuses a bracketed host after the first; kafka-notify keeps [::1]:9092',
  },
  "no-port": {
    kinds: ["url"],
    reason: 'oslo\'s driver turns a host without a port into "host:None", which no client can reach; kafka-notify uses 9092',
  },
  "ours-option": {
    kinds: ["url"],
    reason: "kafka-notify's own options: oslo refuses a URL carrying them, kafka-notify accepts them with a warning",
  },
  alias: {
    kinds: ["url"],
    reason: "older spellings (ssl, ssl_ca_file, sasl_mechanisms) that kafka-notify accepts with a warning; oslo 14 refuses them",
  },
  "enum-case": {
    kinds: ["url", "config"],
    reason: "oslo's choices are case-sensitive; kafka-notify accepts GZIP or ssl with a warning rather than failing",
  },
  range: {
    kinds: ["url"],
    reason: "kafka-notify refuses values no client can use (a batch of 0 records, negative fetch sizes); oslo does not check",
  },
  "needs-credentials": {
    kinds: ["url"],
    reason: "a SASL protocol without user and password: kafka-notify fails at once, oslo fails later when connecting",
  },
  "tls-pairing": {
    kinds: ["url"],
    reason: "a client key password without a client key: kafka-notify refuses the combination, oslo ignores it",
  },
  "sasl-mechanism": {
    kinds: ["url"],
    reason: "GSSAPI and OAUTHBEARER are librdkafka mechanisms kafka-notify does not implement: a ConfigError saying what is supported",
  },
  "js-named-group": {
    kinds: ["filter"],
    reason: "JavaScript's (?<name>...) spelling is accepted; Python 3.11 only knows (?P<name>...)",
  },
  "variable-lookbehind": {
    kinds: ["filter"],
    reason: "JavaScript allows variable-width lookbehind, Python refuses it; kafka-notify accepts what JavaScript can run",
  },
  refused: {
    kinds: ["filter"],
    reason:
      "constructs JavaScript cannot express (possessive, atomic, conditional, scoped (?i:...), \\N{...}, \\W in a class): a ConfigError",
  },
};

interface Difference {
  kind: string;
  index: number;
  features: string[];
  detail: string;
}

type Result = Record<string, unknown> & { ok: boolean; error?: string };

const envelopes = envelopeCases(150);
const urls = urlCases();
const configs = configCases();
const filters = filterCases();

const differences: Difference[] = [];
let compared = 0;
let results: Result[] = [];
let tmp = "";

function differ(kind: string, index: number, features: string[], detail: string): void {
  differences.push({ kind, index, features, detail });
}

/** Python JSON text of a value, for comparing decoded values (NaN included). */
const show = (value: unknown): string => JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${v}n` : Number.isNaN(v) ? "NaN" : v));

function toNotification(c: EnvelopeCase): Notification {
  return {
    priority: normalisePriority(c.priority) as Priority,
    ctxt: redactContext(pythonJsonLoads(c.ctxt) as Record<string, unknown>),
    publisherId: c.publisher_id,
    eventType: c.event_type,
    payload: pythonJsonLoads(c.payload),
    metadata: { message_id: c.message_id, timestamp: c.timestamp },
  };
}

before(() => {
  tmp = mkdtempSync(path.join(tmpdir(), "oslo-diff-"));
  const cases = [...envelopes.map((c) => ({ ...c, ours: String(osloCodec.encode(toNotification(c))) })), ...urls, ...configs, ...filters];
  const run = spawnSync(PYTHON, [ORACLE], { input: JSON.stringify({ cases }), encoding: "utf8", timeout: 120_000, maxBuffer: 64 << 20 });
  assert.equal(run.status, 0, `oslo_diff.py failed: ${run.stderr}`);
  results = (JSON.parse(run.stdout) as { results: Result[] }).results;
  assert.equal(results.length, cases.length);
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Our resolved value as oslo states it: durations are milliseconds in ours, seconds in oslo's. */
function inOsloUnits(spec: (typeof OPTION_TABLE)[number], value: unknown): unknown {
  return "osloSeconds" in spec && spec.osloSeconds && typeof value === "number" ? value / 1000 : value;
}

describe("differential: kafka-notify against oslo.messaging", () => {
  test("envelopes: our bytes are oslo's, oslo reads ours, oslo's bytes survive our decode and encode", () => {
    envelopes.forEach((c, i) => {
      const r = results[i] as Result;
      assert.ok(r.ok, `oslo failed on envelope ${i}: ${r.error}`);
      compared += 3;
      const ours = String(osloCodec.encode(toNotification(c)));
      if (ours !== r.value) differ("envelope", i, c.features, `ours ${ours}\noslo ${String(r.value)}`);
      if (r.topic !== kafkaTopic("notifications", normalisePriority(c.priority) as Priority, undefined)) {
        differ("envelope", i, c.features, `topic ${String(r.topic)}`);
      }
      if (r.ours_read_same !== true) differ("envelope", i, c.features, `oslo reads our bytes differently: ${String(r.ours_read_same)}`);
      const again = String(osloCodec.encode(osloCodec.decode(new TextEncoder().encode(String(r.value)))));
      if (again !== r.value) differ("envelope-roundtrip", i, c.features, `re-encoded ${again}\noslo        ${String(r.value)}`);
    });
  });

  test("transport URLs: hosts, credentials, vhost and options as oslo reads them", () => {
    const offset = envelopes.length;
    urls.forEach((c: UrlCase, i) => {
      const r = results[offset + i] as Result;
      compared++;
      let ours: ReturnType<typeof resolveTransport> | undefined;
      let error = "";
      try {
        ours = resolveTransport(c.url, {});
      } catch (e) {
        error = (e as Error).message;
      }
      if (!r.ok || !ours) {
        if (r.ok !== Boolean(ours))
          differ(
            "url",
            i,
            c.features,
            `${c.url}: oslo ${r.ok ? "accepts" : `refuses (${r.error})`}, ours ${ours ? "accepts" : `refuses (${error})`}`,
          );
        return;
      }
      const got = {
        hosts: brokerList(ours.brokers),
        username: ours.username ?? null,
        password: ours.password ?? null,
        virtual_host: ours.virtualHost ?? null,
      };
      const want = {
        hosts: r.hosts,
        username: r.username ?? null,
        password: r.password ?? null,
        virtual_host: (r.virtual_host as string) || null,
      };
      if (show(got) !== show(want)) differ("url", i, c.features, `${c.url}: ours ${show(got)}, oslo ${show(want)}`);
      for (const [name, value] of Object.entries(r.options as Record<string, unknown>)) {
        const spec = OPTION_TABLE.find((s) => s.oslo === name);
        if (!spec) continue;
        const mine = inOsloUnits(spec, (ours.options as unknown as Record<string, unknown>)[spec.camel]);
        if (show(mine) !== show(value)) differ("url", i, c.features, `${c.url}: ${name} ours ${show(mine)}, oslo ${show(value)}`);
      }
    });
  });

  test("configuration files: URL, topics, drivers and Kafka options as oslo.config reads them", async () => {
    const offset = envelopes.length + urls.length;
    for (const [i, c] of configs.entries() as IterableIterator<[number, ConfigCase]>) {
      const r = results[offset + i] as Result;
      compared++;
      const paths = c.files.map((text, n) => {
        const file = path.join(tmp, `c${i}-${n}.conf`);
        writeFileSync(file, text);
        return file;
      });
      let ours: Awaited<ReturnType<typeof loadOsloConfigFile>> | undefined;
      let error = "";
      try {
        ours = await loadOsloConfigFile(paths);
      } catch (e) {
        error = (e as Error).message;
      }
      if (!r.ok || !ours) {
        if (r.ok !== Boolean(ours))
          differ(
            "config",
            i,
            c.features,
            `${show(c.files)}: oslo ${r.ok ? "accepts" : `refuses (${r.error})`}, ours ${ours ? "accepts" : `refuses (${error})`}`,
          );
        continue;
      }
      const got = { transport_url: ours.transportUrl ?? null, topics: ours.topics ?? ["notifications"], driver: ours.driver };
      // "rabbit://" is oslo's default [DEFAULT] transport_url: the file set no URL, which readOsloConfig reports as undefined.
      const want = {
        transport_url: r.transport_url === "rabbit://" ? null : (r.transport_url ?? null),
        topics: r.topics,
        driver: r.driver,
      };
      if (show(got) !== show(want)) differ("config", i, c.features, `${show(c.files)}: ours ${show(got)}, oslo ${show(want)}`);
      for (const [name, value] of Object.entries(r.kafka as Record<string, unknown>)) {
        const spec = OPTION_TABLE.find((s) => s.oslo === name);
        if (!spec) continue;
        const mine = inOsloUnits(spec, (ours.options as Record<string, unknown>)[spec.camel] ?? spec.default);
        if (show(mine) !== show(value))
          differ("config", i, c.features, `${show(c.files)}: ${name} ours ${show(mine)}, oslo ${show(value)}`);
      }
    }
  });

  test("filters: the same answers as oslo's NotificationFilter", () => {
    const offset = envelopes.length + urls.length + configs.length;
    filters.forEach((c: FilterCase, i) => {
      const r = results[offset + i] as Result;
      let matcher: ((n: Notification) => boolean) | undefined;
      let error = "";
      try {
        matcher = compileFilter(c.rule as FilterRule);
      } catch (e) {
        error = (e as Error).message;
      }
      compared += c.notifications.length;
      if (!r.ok || !matcher) {
        if (r.ok !== Boolean(matcher))
          differ(
            "filter",
            i,
            c.features,
            `${show(c.rule)}: oslo ${r.ok ? "accepts" : `refuses (${r.error})`}, ours ${matcher ? "accepts" : `refuses (${error})`}`,
          );
        return;
      }
      const expected = r.results as boolean[];
      c.notifications.forEach((text, k) => {
        const n = JSON.parse(text) as {
          ctxt: Record<string, unknown>;
          publisher_id: string | null;
          event_type: string | null;
          metadata: Notification["metadata"];
          payload: unknown;
        };
        const got = (matcher as (n: Notification) => boolean)({
          priority: "info",
          ctxt: n.ctxt,
          publisherId: n.publisher_id,
          eventType: n.event_type,
          payload: n.payload,
          metadata: n.metadata,
        });
        if (got !== expected[k])
          differ(
            "filter",
            i,
            c.features,
            `${show(c.rule)} on ${show(n.publisher_id)} / ${show(n.event_type)}: ours ${got}, oslo ${expected[k]}`,
          );
      });
    });
  });

  test("at least 300 cases, and every difference is an expected one", () => {
    assert.ok(compared >= 300, `only ${compared} comparisons`);
    const unexpected = differences.filter((d) => !d.features.some((f) => EXPECTED[f]?.kinds.includes(d.kind)));
    const used = new Set(differences.flatMap((d) => d.features.filter((f) => EXPECTED[f]?.kinds.includes(d.kind))));
    process.stderr.write(
      `differential: ${compared} comparisons, ${differences.length} expected differences (${[...used].sort().join(", ")})\n`,
    );
    assert.deepEqual(
      unexpected.map((d) => `${d.kind} #${d.index} [${d.features.join(",")}]: ${d.detail}`),
      [],
    );
  });
});
