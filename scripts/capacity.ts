/**
 * The capacity model: `npm run capacity -- --people 1000000 --events-per-day 50000000 --peak 10`
 * (more shape options below). Reads the per-operation units `npm run bench` measured from
 * bench/results.json and prints, per table and key family, what the company asks of DynamoDB,
 * Lambda, API Gateway and the stream, and what it costs, flagging every key family whose
 * busiest key passes half its partition's limits at peak. `--markdown` prints Markdown; `--scale-doc` rewrites the
 * generated section of docs/SCALE.md from the committed benchmark fixture.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Result } from "../bench/support/result.ts";
import { spreads } from "./capacity/families.ts";
import { MissingFigure, readMeasured } from "./capacity/measured.ts";
import { defaultShape, model, type Shape } from "./capacity/model.ts";
import { report } from "./capacity/report.ts";
import { fixturePath, scaleSection, withSection } from "./capacity/scale-doc.ts";

const shapeOptions = {
  "events-per-day": "eventsPerDay",
  peak: "peak",
  depth: "depth",
  "fan-out": "fanOut",
  "largest-unit": "largestUnit",
  "events-per-request": "eventsPerRequest",
  "points-entries-per-event": "pointsEntriesPerEvent",
  "busiest-person-events-per-day": "busiestPersonEventsPerDay",
  "balance-reads-per-person-per-day": "balanceReadsPerPersonPerDay",
  "eligibility-checks-per-day": "eligibilityChecksPerDay",
  "awards-by-hand-per-day": "awardsByHandPerDay",
  "redemptions-per-day": "redemptionsPerDay",
  "claims-per-day": "claimsPerDay",
  "redemption-list-reads-per-day": "redemptionListReadsPerDay",
  "waiting-claim-reads-per-day": "waitingClaimReadsPerDay",
} as const satisfies Record<string, keyof Shape>;

const { values } = parseArgs({
  options: {
    people: { type: "string", default: "1000000" },
    results: { type: "string", default: "bench/results.json" },
    markdown: { type: "boolean", default: false },
    "scale-doc": { type: "boolean", default: false },
    ...Object.fromEntries(Object.keys(shapeOptions).map((name) => [name, { type: "string" as const }])),
  },
});

function readResults(path: string): Result[] {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Result[];
  } catch (error) {
    console.error(`Cannot read ${path} (${(error as Error).message}): run \`npm run bench\` first, it writes bench/results.json.`);
    process.exit(1);
  }
}

function measure(path: string) {
  try {
    return readMeasured(readResults(path));
  } catch (error) {
    if (!(error instanceof MissingFigure)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

const positive = (name: string, text: string): number => {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} must be a positive number, not ${text}`);
    process.exit(1);
  }
  return value;
};

if (values["scale-doc"]) {
  const doc = new URL("../docs/SCALE.md", import.meta.url);
  writeFileSync(doc, withSection(readFileSync(doc, "utf8"), scaleSection(measure(fixturePath))));
  console.log(`docs/SCALE.md: the generated section rewritten from ${fixturePath}.`);
} else {
  const overrides: Partial<Shape> = {};
  for (const [option, field] of Object.entries(shapeOptions)) {
    const given = (values as unknown as Record<string, string | undefined>)[option];
    if (given !== undefined) overrides[field] = positive(option, given);
  }
  const capacity = model(measure(values.results), defaultShape(positive("people", values.people), overrides), spreads);
  console.log(report(capacity, values.markdown ? "markdown" : "text"));
}
