/**
 * The capacity model's answer as tables: aligned text for a terminal, or Markdown for
 * docs/SCALE.md (whose marked section is this module's output, never typed by hand).
 */
import { type Capacity, type FamilyLoad, limits, prices, type Rate, type Shape, type Spread } from "./model.ts";

export type Format = "text" | "markdown";

const number = (value: number, digits = 0) => value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
const units = (value: number) => number(value, value < 10 ? 1 : 0);
const percent = (share: number) => `${number(share * 100, share < 0.1 ? 1 : 0)} %`;
const usd = (value: number) => `$${number(value, value < 100 ? 2 : 0)}`;
const pair = (r: Rate) => `${units(r.average)} / ${units(r.peak)}`;

export function table(format: Format, header: string[], rows: string[][]): string {
  if (format === "markdown") {
    const line = (cells: string[]) => `| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
    return [line(header), line(header.map((_, i) => (i === 0 ? "---" : "---:"))), ...rows.map(line)].join("\n");
  }
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const spreadName = (spread: Spread) =>
  typeof spread !== "object"
    ? { person: "per person", unit: "per org unit", once: "once per event" }[spread]
    : "shards" in spread
      ? `per org unit and period, ${spread.shards} shards`
      : spread.copies === 1
        ? "one key"
        : `${spread.copies} copies`;

export function verdict(load: FamilyLoad): string {
  if (load.share > 1) return `THROTTLES ×${number(load.share, 1)}; ${load.shardsForTarget} shards for ≤ ${percent(limits.target)}`;
  if (load.share > limits.target) return `over ${percent(limits.target)}; ${load.shardsForTarget} shards for ≤ ${percent(limits.target)}`;
  return "ok";
}

export function describeShape(shape: Shape, orgUnits: number): string {
  return (
    `${number(shape.people)} people, ${number(shape.eventsPerDay)} events a day (${shape.eventsPerRequest} per webhook request), peak ${shape.peak}× the average; ` +
    `org tree ${shape.depth} levels, fan-out ${shape.fanOut} (${number(orgUnits)} units), largest unit ${number(shape.largestUnit)} people; ` +
    `${shape.pointsEntriesPerEvent} points entry per event, the busiest person ${number(shape.busiestPersonEventsPerDay)} events a day; ` +
    `${shape.balanceReadsPerPersonPerDay} balance reads per person a day, ${number(shape.eligibilityChecksPerDay)} eligibility checks and ${number(shape.awardsByHandPerDay)} awards by hand a day; ` +
    `${number(shape.redemptionsPerDay)} redemptions and ${number(shape.claimsPerDay)} fund claims (each decided) a day, ${number(shape.redemptionListReadsPerDay)} reads of "my redemptions" and ${number(shape.waitingClaimReadsPerDay)} of approvers' queues a day.`
  );
}

export function report(capacity: Capacity, format: Format): string {
  const heading = (text: string) => (format === "markdown" ? `**${text}**` : `== ${text}`);
  const families = table(
    format,
    [
      "table, key family",
      "keys",
      "WCU/s avg / peak",
      "RCU/s avg / peak",
      "busiest key WCU/s (of 1,000)",
      "busiest key RCU/s (of 3,000)",
      "verdict",
    ],
    capacity.families.map((f) => [
      `${f.table} ${f.family}`,
      spreadName(f.spread),
      pair(f.write),
      pair(f.read),
      `${units(f.busiestWrite)} (${percent(f.busiestWrite / limits.partitionWriteUnits)})`,
      `${units(f.busiestRead)} (${percent(f.busiestRead / limits.partitionReadUnits)})`,
      verdict(f),
    ]),
  );
  const tables = table(
    format,
    ["table", "WCU/s avg / peak", "RCU/s avg / peak", "peak of the 40,000 table quota", "new data a month"],
    capacity.tables.map((t) => [
      t.table,
      pair(t.write),
      pair(t.read),
      percent(Math.max(t.write.peak, t.read.peak) / limits.tableUnits),
      t.gbPerMonth > 0 ? `${number(t.gbPerMonth, 1)} GB` : "overwritten in place",
    ]),
  );
  const totalConcurrency = capacity.functions.reduce((sum, f) => sum + f.concurrency.peak, 0);
  const functions = table(
    format,
    ["Lambda function", "invocations/s avg / peak", "ms each", "concurrency avg / peak"],
    [
      ...capacity.functions.map((f) => [
        f.name,
        pair(f.requestsPerSecond),
        `${number(f.ms, 1)} (${f.measured ? "measured locally, at least round trips × 10 ms" : "round trips × 10 ms, assumed"})`,
        pair(f.concurrency),
      ]),
      ["all", "", "", `${units(totalConcurrency)} at peak = ${percent(totalConcurrency / limits.accountConcurrency)} of 1,000`],
    ],
  );
  const s = capacity.stream;
  const rest = table(
    format,
    ["what", "average", "peak", "against"],
    [
      [
        "API Gateway requests/s",
        units(capacity.api.average),
        units(capacity.api.peak),
        `${percent(capacity.api.peak / limits.apiRequestsPerSecond)} of 10,000 rps (account, region)`,
      ],
      [
        "ledger stream records/s",
        units(s.records.average),
        units(s.records.peak),
        `${s.shards} shards at peak (≤ 1,000 records/s each); ${number(s.shardsAfterAYear)} after a year of data (10 GB a partition), each a projector invocation when it has records`,
      ],
    ],
  );
  const c = capacity.cost;
  const cost = table(
    format,
    ["a month", "USD"],
    [
      ["DynamoDB on demand (request units)", usd(c.onDemand)],
      [`DynamoDB provisioned for the peak at ${percent(prices.provisionedUtilisation)} utilisation, all month`, usd(c.provisioned)],
      ["DynamoDB storage added in the month", usd(c.storage)],
      ["Lambda (requests + 1 GB × time)", usd(c.lambda)],
      ["API Gateway HTTP API", usd(c.api)],
      ["total, on demand", usd(c.onDemand + c.storage + c.lambda + c.api)],
    ],
  );
  const flags =
    capacity.flags.length === 0
      ? `No key family above ${percent(limits.target)} of its partition's limits at peak.`
      : capacity.flags
          .map((f) => `FLAG ${f.table} ${f.family}: busiest key at ${percent(f.share)} of its partition's limit: ${verdict(f)}`)
          .join(format === "markdown" ? "  \n" : "\n");
  return [
    describeShape(capacity.shape, capacity.orgUnits),
    heading("Key families"),
    families,
    heading("Tables"),
    tables,
    heading("Lambda"),
    functions,
    heading("API Gateway and the stream"),
    rest,
    heading(
      `Cost (${prices.date}: on demand $0.625 per million WRU, $0.125 per million RRU; provisioned $0.00065 per WCU-hour, $0.00013 per RCU-hour; storage $0.25 per GB-month; Lambda arm64 $0.0000133334 per GB-s, $0.20 per million requests; HTTP API $1.00 per million)`,
    ),
    cost,
    heading("Flags"),
    flags,
  ].join("\n\n");
}
