/** One row of the results table and of bench/results.json. */
export interface Result {
  name: string;
  /** null: the figure's route or page does not exist yet. */
  value: number | null;
  unit: string;
  /** A human budget such as "≤ 2", or null where the figure is only reported. */
  budget: string | null;
  ok: boolean | null;
}

export interface Options {
  quick: boolean;
}

export const reported = (name: string, value: number, unit: string): Result => ({ name, value, unit, budget: null, ok: null });

export const atMost = (name: string, value: number, unit: string, limit: number): Result => ({
  name,
  value,
  unit,
  budget: `≤ ${limit}`,
  ok: value <= limit,
});

export const atLeast = (name: string, value: number, unit: string, limit: number): Result => ({
  name,
  value,
  unit,
  budget: `≥ ${limit.toLocaleString("en-US")}`,
  ok: value >= limit,
});

export const notYet = (name: string, unit: string, budget: string | null): Result => ({ name, value: null, unit, budget, ok: null });

export function median(values: readonly number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Prices assumed for the cost figures: AWS on-demand list prices for us-east-1 as published in
 * 2025 (DynamoDB after its November 2024 on-demand price cut). Check the pricing pages before
 * quoting them; they are not read from AWS.
 */
export const prices = {
  writeRequestUnit: 0.625 / 1e6,
  readRequestUnit: 0.125 / 1e6,
  /** Lambda on arm64, per GB-second and per request; LaurelFunction has 1,024 MB. */
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  /** API Gateway HTTP API, per request. */
  httpApiRequest: 1 / 1e6,
};

/** US dollars per million operations that each cost these units. */
export const costPerMillion = (writeUnits: number, readUnits: number): number =>
  Math.round((writeUnits * prices.writeRequestUnit + readUnits * prices.readRequestUnit) * 1e6 * 1000) / 1000;
