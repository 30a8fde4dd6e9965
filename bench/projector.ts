/**
 * The leaderboard projector's cost, counted as the webhook's is (./dynamo-meter.ts): the ledger
 * table's stream read from DynamoDB Local by scripts/local/stream-poller.ts with the event
 * source mapping's filter (inserted entries of people's chains) and Lambda's batch size (100),
 * into the projector's handler (functions/background/projector.ts).
 *
 * - amortised: a 100-event webhook batch for the demo's team members (each in a team, its
 *   department and its subsidiary: four subjects, 20 aggregates per entry), each event awarding
 *   coins + points: 100 points entries among 200 chain records, i.e. two stream batches;
 * - one entry alone in its stream batch (a quiet hour): the most a points entry costs.
 */
import type { DynamoDBRecord } from "aws-lambda";
import { createDynamoClient } from "../functions/dynamo/client.ts";
import { keys } from "../functions/dynamo/keys.ts";
import { demoOrgUnits, demoPeople } from "../scripts/demo-data.ts";
import { lambdaContext } from "../scripts/local/lambda.ts";
import { StreamPoller } from "../scripts/local/stream-poller.ts";
import { type Webhooks, webhookNames } from "./api.ts";
import { metered, type Touch } from "./support/dynamo-meter.ts";
import { atMost, costPerMillion, prices, type Result, reported } from "./support/result.ts";

const names = {
  amortised: "projector: write units per points entry (team member, 100-event webhook batch)",
  amortisedReads: "projector: read units per points entry (same batch)",
  amortisedTrips: "projector: DynamoDB round trips per stream batch (same batch)",
  single: "projector: write units for one points entry alone in its stream batch (team member)",
  cost: "DynamoDB + Lambda + HTTP API per million accepted events, projector included",
  detectorWrites: "projector, anti-gaming detectors: write units added per accepted event (100-event webhook batch)",
  detectorReads: "projector, anti-gaming detectors: read units added per accepted event (same batch)",
};

const isEventRecord = (record: DynamoDBRecord) =>
  record.eventName === "INSERT" && (record.dynamodb?.Keys?.pk?.S ?? "").startsWith(keys.eventPrefix);
/**
 * The detectors' own items (functions/dynamo/stores/integrity-store.ts, review-store.ts), and the
 * event records and people's chains they read (fed only event records, the projector reads no chain
 * for anything else).
 */
const isDetectors = (touch: Touch) =>
  /^(INTEG#|REVIEW#|HOLD#)/.test(touch.partitionKey) ||
  touch.partitionKey.startsWith(keys.eventPrefix) ||
  touch.partitionKey.startsWith(keys.chain("person:"));

export async function projectorFigures(webhooks: Webhooks, webhookResults: Result[]): Promise<Result[]> {
  // Imported only now, as the handlers are (./system.ts): it reads its tables from the environment at load.
  const { handler } = await import("../functions/background/projector.ts");
  let batches = 0;
  let handlerMs = 0;
  const poller = new StreamPoller({
    endpoint: process.env.DYNAMODB_ENDPOINT as string,
    client: createDynamoClient(),
    table: process.env.LEDGER_TABLE as string,
    batchSize: 100,
    filter: (record) =>
      record.eventName === "INSERT" &&
      (record.dynamodb?.Keys?.pk?.S ?? "").startsWith(keys.chain("person:")) &&
      (record.dynamodb?.Keys?.sk?.S ?? "").startsWith(keys.entryPrefix),
    handler: async (event) => {
      batches += 1;
      const started = performance.now();
      try {
        return await handler(event, lambdaContext("projector"));
      } finally {
        handlerMs += performance.now() - started;
      }
    },
  });
  try {
    // Everything the other figures wrote, projected first and not counted.
    await poller.drain();
    const teams = new Set(demoOrgUnits.filter((unit) => unit.kind === "team").map((unit) => unit.orgUnitId));
    const members = demoPeople.filter((person) => teams.has(person.orgUnitId)).map((person) => person.personId);

    const batch = Array.from({ length: 100 }, (_, i) => webhooks.event(members[i % members.length]));
    webhooks.accepted(await webhooks.deliver(batch, true), 100);
    batches = 0;
    handlerMs = 0;
    const amortised = await metered(() => poller.drain());
    const batchCount = batches;
    const msPerBatch = handlerMs / batchCount;

    webhooks.accepted(await webhooks.deliver(webhooks.event(members[0])), 1);
    const single = await metered(() => poller.drain());

    const detectors = await detectorFigures(webhooks, members);
    const perEntry = (units: number) => Math.round((units / 100) * 100) / 100;
    const writeUnits = perEntry(amortised.writeUnits);
    const readUnits = perEntry(amortised.readUnits);
    return [
      atMost(names.amortised, writeUnits, "WRU", 8),
      reported(names.amortisedReads, readUnits, "RRU"),
      reported(names.amortisedTrips, Math.round((amortised.roundTrips / batchCount) * 10) / 10, "requests"),
      reported(names.single, single.writeUnits, "WRU"),
      atMost(
        names.cost,
        costOfEvents(webhookResults, writeUnits + detectors.writeUnits, readUnits + detectors.readUnits, msPerBatch),
        "USD",
        12,
      ),
      reported(names.detectorWrites, detectors.writeUnits, "WRU"),
      reported(names.detectorReads, detectors.readUnits, "RRU"),
    ];
  } finally {
    await poller.stop();
  }
}

/**
 * One event per webhook request, awarding coins + points: the webhook's DynamoDB units and its
 * measured warm time on 1 GB, the HTTP API request, and the projector's units per points entry
 * and the detectors' per event, plus its share of a 100-record stream batch invocation (an event
 * streams two chain entries).
 */
function costOfEvents(webhookResults: Result[], projectorWrites: number, projectorReads: number, msPerBatch: number): number {
  const value = (name: string) => webhookResults.find((result) => result.name === name)?.value ?? Number.NaN;
  const webhookDynamo = value(webhookNames.cost) / 1e6;
  const webhookLambda = prices.lambdaRequest + (value(webhookNames.singleTime) / 1000) * prices.lambdaGbSecond;
  const projectorDynamo = costPerMillion(projectorWrites, projectorReads) / 1e6;
  const projectorLambda = (2 / 100) * (prices.lambdaRequest + (msPerBatch / 1000) * prices.lambdaGbSecond);
  return Math.round((webhookDynamo + webhookLambda + prices.httpApiRequest + projectorDynamo + projectorLambda) * 1e6 * 100) / 100;
}

/**
 * What the detectors add to the projector for each accepted event: the event records of a
 * 100-event batch (the projector's second filter) through its handler, counting only the
 * requests on the detectors' keys (the event log's put is the projector's own, counted apart).
 */
async function detectorFigures(webhooks: Webhooks, members: string[]): Promise<{ writeUnits: number; readUnits: number }> {
  const { handler } = await import("../functions/background/projector.ts");
  const poller = new StreamPoller({
    endpoint: process.env.DYNAMODB_ENDPOINT as string,
    client: createDynamoClient(),
    table: process.env.LEDGER_TABLE as string,
    batchSize: 100,
    filter: isEventRecord,
    handler: (event) => handler(event, lambdaContext("projector")),
  });
  try {
    await poller.drain();
    const batch = Array.from({ length: 100 }, (_, i) => webhooks.event(members[i % members.length]));
    webhooks.accepted(await webhooks.deliver(batch, true), 100);
    const { calls } = await metered(() => poller.drain());
    const touches = calls.flatMap((call) => call.touches).filter(isDetectors);
    const per = (key: "writeUnits" | "readUnits") => Math.round((touches.reduce((sum, t) => sum + t[key], 0) / 100) * 100) / 100;
    return { writeUnits: per("writeUnits"), readUnits: per("readUnits") };
  } finally {
    await poller.stop();
  }
}
