import fc from "fast-check";
import { expect, it } from "vitest";
import { ledgerProblems } from "../support/invariants.ts";
import { withDemoOrg } from "../support/org.ts";

const admin = await withDemoOrg();
const people = ["yang-xue", "huang-tao", "wu-min"];

const operation = fc.oneof(
  fc.record({
    op: fc.constant("award"),
    personId: fc.constantFrom(...people),
    coins: fc.integer({ min: 1, max: 20 }),
    points: fc.integer({ min: 1, max: 20 }),
  }),
  fc.record({ op: fc.constant("deduct"), personId: fc.constantFrom(...people), coins: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ op: fc.constant("reverse"), pick: fc.nat() }),
);

it("random sequences of awards, deductions and reversals through the API keep every invariant after each step", async () => {
  const entryIds: string[] = [];
  await fc.assert(
    fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 8 }), async (operations) => {
      for (const o of operations) {
        let response: { status: number; body: any };
        if (o.op === "award") {
          response = await admin.post("/awards", {
            personId: o.personId,
            coins: o.coins,
            points: { capability: "data-assurance", amount: o.points },
            reason: "p",
          });
        } else if (o.op === "deduct") {
          response = await admin.post("/deductions", { personId: o.personId, coins: o.coins, reason: "p" });
        } else {
          const entryId = entryIds[o.pick % Math.max(entryIds.length, 1)];
          if (!entryId) continue;
          response = await admin.post(`/ledger/${entryId}/reversal`, { reason: "p" });
        }
        expect([201, 409]).toContain(response.status);
        if (response.status === 201) entryIds.push(...response.body.entries.map((e: { entryId: string }) => e.entryId));
        expect(await ledgerProblems(people)).toEqual([]);
      }
    }),
    { seed: 42, numRuns: 12 },
  );
});
