/**
 * `npm run send-event -- <type|file.json> [subject] [field=value ...]`: signs a CloudEvent with a
 * demo source's secret (kept by `npm start` in .laurel/source-secrets.json) and posts it to the
 * local server, so a new user sees awards appear. Examples:
 *   npm run send-event -- course.completed liu-yang courseId=ai-101 score=92
 *   npm run send-event -- bounty.closed team=store-east bountyId=b7
 *   npm run send-event -- my-events.json          (one CloudEvent or an array of them)
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sign } from "../domain/awards/index.ts";
import { demoSources } from "./demo-data.ts";

const [what, ...rest] = process.argv.slice(2);
if (!what) {
  const types = Object.values(demoSources).flatMap((s) => s.eventTypes.map((t) => t.type.split(".").slice(-2).join(".")));
  console.error(`usage: npm run send-event -- <type|file.json> [subject] [field=value ...]\n  types: ${types.join(", ")}`);
  process.exit(2);
}

const secretsFile = join(import.meta.dirname, "..", ".laurel", "source-secrets.json");
if (!existsSync(secretsFile)) {
  console.error("No demo source secrets yet: run `npm start` first (it registers the demo sources).");
  process.exit(1);
}
const secrets: Record<string, string> = JSON.parse(readFileSync(secretsFile, "utf8"));

const value = (text: string): unknown =>
  text === "true" ? true : text === "false" ? false : text !== "" && !Number.isNaN(Number(text)) ? Number(text) : text;

function eventFrom(shorthand: string, args: string[]) {
  const type = Object.values(demoSources)
    .flatMap((s) => s.eventTypes.map((t) => t.type))
    .find((t) => t === shorthand || t.endsWith(`.${shorthand}`));
  if (!type) throw new Error(`no demo event type ends with "${shorthand}"`);
  const subject = args[0] && !args[0].includes("=") ? args.shift() : undefined;
  const data = Object.fromEntries(args.map((arg) => arg.split("=")).map(([k, v]) => [k, value(v ?? "")]));
  return {
    specversion: "1.0",
    id: randomUUID(),
    source: "laurel.send-event",
    type,
    ...(subject ? { subject } : {}),
    time: new Date().toISOString(),
    data,
  };
}

const payload = what.endsWith(".json") ? JSON.parse(readFileSync(what, "utf8")) : eventFrom(what, rest);
const first = Array.isArray(payload) ? payload[0] : payload;
const sourceId = Object.entries(demoSources).find(([, s]) => s.eventTypes.some((t) => t.type === first?.type))?.[0] ?? "tianma-learning";
const secret = secrets[sourceId];
if (!secret) throw new Error(`no secret for source ${sourceId} in ${secretsFile}`);

const body = JSON.stringify(payload);
const id = `msg_${randomUUID()}`;
const timestamp = Math.floor(Date.now() / 1000);
const response = await fetch(`http://127.0.0.1:${process.env.PORT ?? 3000}/webhooks/${sourceId}`, {
  method: "POST",
  headers: {
    "content-type": Array.isArray(payload) ? "application/cloudevents-batch+json" : "application/cloudevents+json",
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": sign(secret, id, timestamp, body),
  },
  body,
});
console.log(`${response.status} from /webhooks/${sourceId}`);
console.log(JSON.stringify(await response.json(), null, 2));
