import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DomainError, InsufficientBalanceError } from "../../domain/kernel/errors.ts";
import { type AssetKey, type PersonId, personAccount, systemAccount } from "../../domain/kernel/model.ts";
import {
  appendMovements,
  emptyChain,
  foldChain,
  type LedgerEntry,
  type Movement,
  reversalOf,
  verifyChain,
  verifyLedger,
} from "../../domain/ledger/index.ts";

const person = personAccount("p1" as PersonId);
const admin = { kind: "person", personId: "admin" as PersonId } as const;
const at = "2026-11-23T08:00:00.000Z";

const award = (asset: AssetKey, amount: number): Movement => ({
  kind: "award",
  asset,
  amount,
  from: systemAccount("issuer"),
  to: person,
  reason: "test",
  actor: admin,
  occurredAt: at,
});
const deduction = (asset: AssetKey, amount: number): Movement => ({
  ...award(asset, amount),
  kind: "deduction",
  from: person,
  to: systemAccount("penalties"),
});

function chainOf(...movements: Movement[]): LedgerEntry[] {
  return appendMovements(emptyChain(person), movements, at).entries;
}

describe("the hash chain", () => {
  it("an untouched chain verifies", () => {
    expect(verifyChain(chainOf(award("coin", 5), award("point:data-assurance", 3), deduction("coin", 2)))).toBeUndefined();
  });

  it("a changed amount is caught at the tampered entry", () => {
    const entries = chainOf(award("coin", 5), award("coin", 7), award("coin", 9));
    const tampered = entries.map((e) => (e.seq === 2 ? { ...e, amount: 700 } : e));
    expect(verifyChain(tampered)).toMatchObject({ entryId: "person.p1.2", problem: "content does not match its hash" });
  });

  it("a removed entry is caught as a gap in the sequence", () => {
    const entries = chainOf(award("coin", 5), award("coin", 7), award("coin", 9));
    expect(verifyChain([entries[0], entries[2]] as LedgerEntry[])).toMatchObject({
      entryId: "person.p1.3",
      problem: "expected sequence 2, found 3",
    });
  });

  it("an entry rehashed after tampering is caught by the next entry's link", () => {
    const entries = chainOf(award("coin", 5), award("coin", 7), award("coin", 9));
    const [first, second, third] = entries as [LedgerEntry, LedgerEntry, LedgerEntry];
    const forged = appendMovements({ ...foldChain(person, [first]) }, [{ ...award("coin", 700) }], at).entries[0] as LedgerEntry;
    expect(verifyChain([first, forged, third])).toMatchObject({
      entryId: third.entryId,
      problem: expect.stringContaining("previous-hash"),
    });
    expect(second.hash).not.toBe(forged.hash);
  });
});

describe("balances never go below zero", () => {
  it("a deduction larger than the balance is refused with the shortfall", () => {
    const { state } = appendMovements(emptyChain(person), [award("coin", 5)], at);
    const refusal = (() => {
      try {
        appendMovements(state, [deduction("coin", 8)], at);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refusal).toBeInstanceOf(InsufficientBalanceError);
    expect((refusal as DomainError).details).toMatchObject({ balance: 5, requested: 8, shortfall: 3 });
  });

  it("points are counted per capability: points in one capability cannot pay for another", () => {
    const { state } = appendMovements(emptyChain(person), [award("point:data-assurance", 10)], at);
    expect(() => appendMovements(state, [deduction("point:tool-operation", 1)], at)).toThrow(InsufficientBalanceError);
  });

  it("a badge level is held at most once", () => {
    const { state } = appendMovements(emptyChain(person), [award("badge:certification:1", 1)], at);
    expect(() => appendMovements(state, [award("badge:certification:1", 1)], at)).toThrow(/already held/);
  });
});

describe("reversals", () => {
  it("move the same value back and reference the original", () => {
    const [original] = chainOf(award("coin", 5)) as [LedgerEntry];
    const reversal = reversalOf(original, admin, "wrong person", at);
    expect(reversal).toMatchObject({
      kind: "reversal",
      from: person,
      to: systemAccount("issuer"),
      amount: 5,
      asset: "coin",
      reverses: original.entryId,
    });
  });

  it("a reversal cannot itself be reversed", () => {
    const [original] = chainOf(award("coin", 5)) as [LedgerEntry];
    const [reversal] = appendMovements(foldChain(person, [original]), [reversalOf(original, admin, "x", at)], at).entries as [LedgerEntry];
    expect(() => reversalOf(reversal, admin, "undo", at)).toThrow(expect.objectContaining({ code: "reversal-not-reversible" }));
  });
});

describe("invariants under random sequences (property)", () => {
  const assets: AssetKey[] = ["coin", "point:data-assurance", "point:tool-operation"];
  const operation = fc.oneof(
    fc.record({ op: fc.constant("award" as const), asset: fc.constantFrom(...assets), amount: fc.integer({ min: 1, max: 50 }) }),
    fc.record({ op: fc.constant("deduct" as const), asset: fc.constantFrom(...assets), amount: fc.integer({ min: 1, max: 50 }) }),
    fc.record({ op: fc.constant("reverse" as const), pick: fc.nat() }),
  );

  it("every accepted operation keeps the chain valid, balances non-negative, accounts summing to zero, and the projection equal to the fold", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        let state = emptyChain(person);
        const entries: LedgerEntry[] = [];
        const reversed = new Set<string>();
        for (const operation of operations) {
          let movement: Movement | undefined;
          if (operation.op === "award") movement = award(operation.asset, operation.amount);
          else if (operation.op === "deduct") movement = deduction(operation.asset, operation.amount);
          else {
            const candidates = entries.filter((e) => e.kind !== "reversal" && !reversed.has(e.entryId));
            const original = candidates[operation.pick % Math.max(1, candidates.length)];
            if (original) movement = reversalOf(original, admin, "undo", at);
          }
          if (!movement) continue;
          try {
            const result = appendMovements(state, [movement], at);
            state = result.state;
            entries.push(...result.entries);
            if (movement.reverses) reversed.add(movement.reverses);
          } catch (error) {
            expect(error).toBeInstanceOf(InsufficientBalanceError);
          }
          expect(verifyLedger([{ holder: person, entries, projection: state }])).toEqual([]);
        }
      }),
      { seed: 20261123, numRuns: 200 },
    );
  });
});
