/**
 * The generated part of docs/SCALE.md: the model at 10,000, 100,000 and 1,000,000 people (50
 * events a person a day, a 10× peak, the default org shape), between two markers. `npm run
 * capacity -- --scale-doc` rewrites it from the committed benchmark fixture; a test checks the
 * committed section equals what the command prints, so the doc cannot drift from the model.
 */
import { spreads } from "./families.ts";
import type { Measured } from "./measured.ts";
import { defaultShape, limits, model } from "./model.ts";
import { report, table, verdict } from "./report.ts";

export const sizes = [10_000, 100_000, 1_000_000];
export const markers = { begin: "<!-- capacity:begin (npm run capacity -- --scale-doc) -->", end: "<!-- capacity:end -->" };
/** The benchmark results the committed section is computed from: a copy of one `npm run bench` run. */
export const fixturePath = "test/capacity/bench-results.fixture.json";

export function scaleSection(measured: Measured): string {
  const runs = sizes.map((people) => model(measured, defaultShape(people), spreads));
  const families = runs[0]?.families.map((f) => `${f.table} ${f.family}`) ?? [];
  const summary = table(
    "markdown",
    ["busiest key's share of its partition's limit at peak", ...sizes.map((n) => `${n.toLocaleString("en-US")} people`)],
    families.map((name) => [
      name,
      ...runs.map((run) => {
        const load = run.families.find((f) => `${f.table} ${f.family}` === name);
        return load
          ? `${(load.share * 100).toFixed(load.share < 0.1 ? 1 : 0)} %${load.share > limits.target ? ` (${verdict(load)})` : ""}`
          : "";
      }),
    ]),
  );
  return [
    markers.begin,
    `Computed from \`${fixturePath}\` (a copy of bench/results.json from one \`npm run bench\` run).`,
    summary,
    ...runs.flatMap((run, i) => [`### ${sizes[i]?.toLocaleString("en-US")} people`, report(run, "markdown")]),
    markers.end,
  ].join("\n\n");
}

/** The document with its marked section replaced. */
export function withSection(doc: string, section: string): string {
  const begin = doc.indexOf(markers.begin);
  const end = doc.indexOf(markers.end);
  if (begin < 0 || end < begin) throw new Error(`docs/SCALE.md lacks the markers ${markers.begin} … ${markers.end}`);
  return doc.slice(0, begin) + section + doc.slice(end + markers.end.length);
}
