/**
 * The soak test (`npm run soak`; not part of `npm test`): the local HTTP server in front of
 * DynamoDB Local in memory, the demo org and definitions, then at least 20,000 signed webhook
 * events (single events and small batches) from 32 concurrent senders over real HTTP on
 * 127.0.0.1, bounded by count and time. At the end it checks that every answer was expected, that
 * every balance is exactly what the accepted awards add up to, that `npm run verify`'s check is
 * clean, and that memory stayed flat; it prints the throughput. Exits 1 when a check fails.
 *
 *   npm run soak                              # 20,000 events, at most 10 minutes
 *   SOAK_EVENTS=2000 SOAK_MINUTES=2 npm run soak
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { createDocumentClient, createDynamoClient } from "../functions/dynamo/client.ts";
import { verifyAll } from "../functions/dynamo/maintenance.ts";
import { demoAdmin, demoPeople, loadDemoDefinitions, loadDemoOrg } from "../scripts/demo-data.ts";
import { devAuthEnv, loadDevIssuer } from "../scripts/local/dev-issuer.ts";
import { createTables, startDynamoLocal } from "../scripts/local/dynamo.ts";
import { median } from "./support/result.ts";

const targetEvents = Number(process.env.SOAK_EVENTS ?? 20_000);
const timeLimitMs = Number(process.env.SOAK_MINUTES ?? 10) * 60_000;
const senders = 32;
const sourceId = "tianma-learning";
const learning = "com.tianma.learning";
const courses = ["ai-101", "ai-tools-201", "data-literacy-110", "digital-ops-150", "bi-dashboards-120"];
// Not the admin who defines the sources and rules: separation of duties refuses to pay them under those.
const people = demoPeople.map((p) => p.personId).filter((personId) => personId !== demoAdmin);

/** A seeded generator (mulberry32), so that a run's traffic can be reproduced. */
function generator(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = generator(Number(process.env.SOAK_SEED ?? 20260101));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));

interface Award {
  personId: string;
  asset: string;
  amount: number;
  kind: "award" | "reversal";
}
type EventResult = { id: string; status: string; awards?: Award[]; problem?: { status: number; code: string } };

// --- the system -------------------------------------------------------------------------------

const started = performance.now();
const dynamo = await startDynamoLocal();
const suffix = randomUUID().slice(0, 8);
const tables = { ledger: `soak-ledger-${suffix}`, state: `soak-state-${suffix}` };
const issuer = await loadDevIssuer();
// As bench/support/system.ts: the handlers read their environment at module load.
Object.assign(process.env, {
  DYNAMODB_ENDPOINT: dynamo.endpoint,
  AWS_REGION: "local",
  LEDGER_TABLE: tables.ledger,
  STATE_TABLE: tables.state,
  LOG_LEVEL: "SILENT",
  LAUREL_SECRET_KEY: randomBytes(32).toString("base64"),
  ...devAuthEnv(issuer),
});
await createTables(createDynamoClient(), tables);
const { startLocalServer } = await import("../scripts/local/server.ts");
const server = await startLocalServer(0, "127.0.0.1");
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const adminToken = await issuer.sign(demoAdmin, ["admin"]);

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${adminToken}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

try {
  await loadDemoOrg((method, url, body, key) => call(method, url, body, key ? { "idempotency-key": key } : {}));
  const secrets = await loadDemoDefinitions((method, url, body, key) => call(method, url, body, key ? { "idempotency-key": key } : {}));
  const webhook = new Webhook(secrets[sourceId] as string);
  console.log(`soak: DynamoDB Local and the server on ${base} ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // --- the traffic ----------------------------------------------------------------------------

  const event = () => {
    const course = random() < 0.7;
    return {
      specversion: "1.0",
      id: randomUUID(),
      source: "https://learning.tianma.example",
      type: course ? `${learning}.course.completed` : `${learning}.plan.progress`,
      subject: pick(people),
      // Within the source's 30-day window; caps and streaks see several days.
      time: new Date(Date.now() - between(0, 6 * 86_400) * 1000).toISOString(),
      data: course
        ? { courseId: pick(courses), score: between(60, 100) }
        : { completionRate: between(40, 100), onTimeRate: between(40, 100) },
    };
  };

  const counts = {
    messages: 0,
    batches: 0,
    events: 0,
    accepted: 0,
    duplicate: 0,
    redeliveries: 0,
    retries503: 0,
    retries429: 0,
    retriedEvents503: 0,
  };
  const unexpected: string[] = [];
  /** The awards of each event, from its first accepted (or, after a lost answer, duplicate) result. */
  const counted = new Map<string, Award[]>();
  const recent: { id: string; payload: string; batch: boolean; events: string[] }[] = [];
  let sent = 0;
  const deadline = performance.now() + timeLimitMs;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Sends one message until it gets a final answer, re-signing with the same webhook-id on 503/429. */
  async function deliver(id: string, payload: string, batch: boolean): Promise<EventResult[] | undefined> {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${base}/webhooks/${sourceId}`, {
        method: "POST",
        headers: {
          "content-type": batch ? "application/cloudevents-batch+json" : "application/cloudevents+json",
          "webhook-id": id,
          "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
          "webhook-signature": webhook.sign(id, new Date(), payload),
        },
        body: payload,
      });
      const text = await response.text();
      if ((response.status === 503 || response.status === 429) && attempt < 20 && performance.now() < deadline + 60_000) {
        counts[response.status === 503 ? "retries503" : "retries429"] += 1;
        const after = Number(response.headers.get("retry-after") ?? 1);
        await sleep(Math.min(after, 2) * 1000 * (0.5 + random()));
        continue;
      }
      if (response.status !== 200) {
        unexpected.push(`message ${id}: HTTP ${response.status} ${text.slice(0, 300)}`);
        return undefined;
      }
      const results = (JSON.parse(text) as { results: EventResult[] }).results;
      // An event refused as busy inside a batch that otherwise went through: a sender retries the message.
      if (results.some((r) => r.status === "rejected" && r.problem?.status === 503) && attempt < 20) {
        counts.retriedEvents503 += results.filter((r) => r.status === "rejected").length;
        await sleep(500 + random() * 1000);
        continue;
      }
      return results;
    }
  }

  // DynamoDB keeps a map's attributes in no particular order: compare awards whatever their key order.
  const canonical = (awards: Award[] | undefined) =>
    JSON.stringify((awards ?? []).map((a) => Object.fromEntries(Object.entries(a).sort(([x], [y]) => x.localeCompare(y)))));

  function settle(results: EventResult[], expectedIds: string[], redelivery: boolean) {
    if (results.length !== expectedIds.length) unexpected.push(`${expectedIds.length} events answered with ${results.length} results`);
    for (const result of results) {
      if (result.status === "accepted" || result.status === "duplicate") {
        counts[result.status] += 1;
        if (!counted.has(result.id)) {
          if (redelivery) unexpected.push(`redelivered event ${result.id} was not known`);
          counted.set(result.id, result.awards ?? []);
        } else if (canonical(counted.get(result.id)) !== canonical(result.awards ?? [])) {
          unexpected.push(
            `event ${result.id}: a redelivery answered other awards than the first delivery: ${JSON.stringify(counted.get(result.id))} then ${JSON.stringify(result.awards)}`,
          );
        }
        if (result.status === "accepted" && redelivery) unexpected.push(`redelivered event ${result.id} was accepted again`);
      } else {
        unexpected.push(`event ${result.id}: ${result.status} ${JSON.stringify(result.problem ?? {}).slice(0, 300)}`);
      }
    }
  }

  async function sender() {
    while (sent < targetEvents && performance.now() < deadline) {
      // About one message in 50 is a sender's redelivery of an earlier message (same webhook-id).
      if (recent.length > 0 && random() < 0.02) {
        const old = pick(recent);
        counts.redeliveries += 1;
        const results = await deliver(old.id, old.payload, old.batch);
        if (results) settle(results, old.events, true);
        continue;
      }
      const batch = random() < 0.4;
      const size = batch ? Math.min(between(2, 10), targetEvents - sent) : 1;
      if (size < 1) break;
      sent += size;
      const events = Array.from({ length: size }, event);
      const payload = JSON.stringify(batch ? events : events[0]);
      const id = `msg_${randomUUID().replaceAll("-", "")}`;
      counts.messages += 1;
      if (batch) counts.batches += 1;
      counts.events += size;
      const results = await deliver(id, payload, batch);
      if (results)
        settle(
          results,
          events.map((e) => e.id),
          false,
        );
      recent.push({ id, payload, batch, events: events.map((e) => e.id) });
      if (recent.length > 200) recent.shift();
    }
  }

  // --- memory, sampled while it runs ----------------------------------------------------------

  const rss: { at: number; mb: number }[] = [];
  const sample = () => rss.push({ at: (performance.now() - trafficStarted) / 1000, mb: process.memoryUsage().rss / 2 ** 20 });
  const trafficStarted = performance.now();
  sample();
  const sampler = setInterval(sample, 5_000);
  const progress = setInterval(() => {
    const seconds = (performance.now() - trafficStarted) / 1000;
    console.log(
      `soak: ${counts.events} events in ${seconds.toFixed(0)} s (${(counts.events / seconds).toFixed(0)}/s), rss ${rss.at(-1)?.mb.toFixed(0)} MB, 503 retries ${counts.retries503}`,
    );
  }, 30_000);
  await Promise.all(Array.from({ length: senders }, sender));
  const trafficSeconds = (performance.now() - trafficStarted) / 1000;
  clearInterval(sampler);
  clearInterval(progress);
  sample();

  // --- the checks -----------------------------------------------------------------------------

  const expected = new Map<string, { coins: number; points: Record<string, number>; entries: number }>();
  for (const awards of counted.values()) {
    for (const award of awards) {
      const sign = award.kind === "reversal" ? -1 : 1;
      const person = expected.get(award.personId) ?? { coins: 0, points: {}, entries: 0 };
      person.entries += 1;
      if (award.asset === "coin") person.coins += sign * award.amount;
      else if (award.asset.startsWith("point:")) {
        const capability = award.asset.slice("point:".length);
        person.points[capability] = (person.points[capability] ?? 0) + sign * award.amount;
      }
      expected.set(award.personId, person);
    }
  }
  let balanceMismatches = 0;
  let coinsTotal = 0;
  let pointsTotal = 0;
  for (const personId of people) {
    const want = expected.get(personId) ?? { coins: 0, points: {}, entries: 0 };
    const { status, body } = await call("GET", `/people/${personId}/balances`);
    const got = body as { coins: number; points: { byCapability: Record<string, number> }; asOfSeq: number };
    const pointsWrong = Object.entries(got.points?.byCapability ?? {}).filter(([c, n]) => n !== (want.points[c] ?? 0));
    if (status !== 200 || got.coins !== want.coins || pointsWrong.length > 0 || got.asOfSeq !== want.entries) {
      balanceMismatches += 1;
      unexpected.push(
        `balances of ${personId}: HTTP ${status}, coins ${got.coins} (expected ${want.coins}), points ${JSON.stringify(got.points?.byCapability)} (expected ${JSON.stringify(want.points)}), entries ${got.asOfSeq} (expected ${want.entries})`,
      );
    }
    coinsTotal += want.coins;
    pointsTotal += Object.values(want.points).reduce((a, b) => a + b, 0);
  }
  const verifyStarted = performance.now();
  const verification = await verifyAll(createDocumentClient(), tables);
  const verifySeconds = (performance.now() - verifyStarted) / 1000;
  for (const p of verification.problems) unexpected.push(`verify: ${p.holder}${p.entryId ? ` at ${p.entryId}` : ""}: ${p.problem}`);

  // Flat: the heap and the JIT warm up during the first quarter of the run (the first 40 s or so);
  // from then on the last sample must stay within 10 % of the first steady one.
  const mbs = rss.map((s) => s.mb);
  const steady = mbs.slice(Math.floor(mbs.length / 4));
  const steadyFirst = steady[0] ?? 0;
  const growth = ((mbs.at(-1) ?? 0) - steadyFirst) / steadyFirst;
  const steadyAt = rss[Math.floor(mbs.length / 4)]?.at ?? 0;
  if (growth > 0.1)
    unexpected.push(`memory grew ${(growth * 100).toFixed(1)} % after warm-up (${steadyFirst.toFixed(0)} → ${mbs.at(-1)?.toFixed(0)} MB)`);
  if (counts.events < targetEvents) unexpected.push(`only ${counts.events} of ${targetEvents} events sent within the time limit`);

  const mb = (n: number | undefined) => `${(n ?? 0).toFixed(0)} MB`;
  const entriesTotal = [...expected.values()].reduce((n, p) => n + p.entries, 0);
  console.log(`
soak: ${counts.events} events in ${counts.messages} messages (${counts.batches} batches of 2–10), ${senders} senders, ${trafficSeconds.toFixed(1)} s
  throughput          ${(counts.events / trafficSeconds).toFixed(0)} events/s, ${(counts.messages / trafficSeconds).toFixed(0)} messages/s
  answers             ${counts.accepted} accepted, ${counts.duplicate} duplicate (${counts.redeliveries} redeliveries of earlier messages)
  retries             ${counts.retries503} on 503, ${counts.retries429} on 429, ${counts.retriedEvents503} busy events inside a batch
  ledger              ${entriesTotal} entries from the accepted awards; ${coinsTotal} coins, ${pointsTotal} points over ${people.length} people
  balances            ${people.length - balanceMismatches} of ${people.length} exact (coins, points by capability, entry count)
  verify              ${verification.entries} entries in ${verification.chains} chains, ${verification.problems.length} problems (${verifySeconds.toFixed(1)} s)
  memory (rss)        first ${mb(mbs[0])}, median ${mb(median(mbs))}, last ${mb(mbs.at(-1))}; after warm-up (from ${steadyAt.toFixed(0)} s) ${mb(steadyFirst)} → ${mb(mbs.at(-1))} (${growth >= 0 ? "+" : ""}${(growth * 100).toFixed(1)} %), ${mbs.length} samples every 5 s
  rss samples (MB)     ${mbs.map((n) => n.toFixed(0)).join(" ")}
  total               ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (unexpected.length) {
    console.log(`\nsoak FAILED: ${unexpected.length} problems; the first 20:`);
    for (const line of unexpected.slice(0, 20)) console.log(`  ${line}`);
    process.exitCode = 1;
  } else {
    console.log("\nsoak passed: no unexpected answer, every balance exact, the ledger verifies, memory flat.");
  }
} finally {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections?.();
  await dynamo.stop();
}
