/** docs/SCALE.md's tables are the model's output for the committed bench fixture, not typed by hand. */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import type { Result } from "../../bench/support/result.ts";
import { readMeasured } from "../../scripts/capacity/measured.ts";
import { fixturePath, markers, scaleSection } from "../../scripts/capacity/scale-doc.ts";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

it("docs/SCALE.md holds exactly what `npm run capacity -- --scale-doc` writes", () => {
  const doc = read("docs/SCALE.md");
  const committed = doc.slice(doc.indexOf(markers.begin), doc.indexOf(markers.end) + markers.end.length);
  const expected = scaleSection(readMeasured(JSON.parse(read(fixturePath)) as Result[]));
  expect(committed).toBe(expected);
});

it("the fixture is a benchmark run with every figure the model reads", () => {
  const results = JSON.parse(read(fixturePath)) as Result[];
  expect(results.some((r) => r.name === "webhook, accepted single event: DynamoDB round trips" && r.value === 2)).toBe(true);
  expect(() => readMeasured(results)).not.toThrow();
});
