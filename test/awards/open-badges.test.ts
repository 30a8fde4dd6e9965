/** The revocation list as a pure function of a chain: plain entries in, the W3C bitstring out. */
import { Bitstring } from "@digitalbazaar/bitstring";
import { describe, expect, it } from "vitest";
import { statusListCredential } from "../../domain/awards/index.ts";
import type { LedgerEntry } from "../../domain/ledger/index.ts";

const issuer = { base: "https://api.example.com", name: "天马集团" };
const entry = (seq: number, asset: string, reverses?: number): LedgerEntry =>
  ({
    entryId: `person.p.${seq}`,
    seq,
    asset,
    kind: reverses ? "reversal" : "award",
    ...(reverses ? { reverses: `person.p.${reverses}` } : {}),
  }) as LedgerEntry;

async function bitsOf(entries: LedgerEntry[]) {
  const list = statusListCredential("p", entries, issuer, "2026-12-01T00:00:00.000Z");
  const buffer = await Bitstring.decodeBits({ encoded: list.credentialSubject.encodedList.slice(1) });
  return { list, length: buffer.length * 8, bits: new Bitstring({ buffer }) };
}

describe("a person's revocation list", () => {
  it("sets the bit of each badge level reversed, and no other, in a list of W3C's minimum size", async () => {
    const { list, length, bits } = await bitsOf([
      entry(1, "badge:certification:1"),
      entry(2, "coin"),
      entry(3, "badge:certification:2"),
      entry(4, "coin", 2),
      entry(5, "badge:certification:2", 3),
    ]);
    expect(length).toBe(131_072);
    expect([0, 1, 2, 3, 4, 5].map((i) => bits.get(i))).toEqual([false, false, false, true, false, false]);
    expect(list).toMatchObject({
      id: "https://api.example.com/badges/status/p",
      type: ["VerifiableCredential", "BitstringStatusListCredential"],
      issuer: "https://api.example.com/badges/issuer",
      credentialSubject: { type: "BitstringStatusList", statusPurpose: "revocation" },
    });
  });

  it("grows by the minimum size when a chain is longer than it", async () => {
    const { length, bits } = await bitsOf([entry(131_073, "badge:b:1"), entry(131_074, "badge:b:1", 131_073)]);
    expect(length).toBe(2 * 131_072);
    expect([bits.get(131_072), bits.get(131_073), bits.get(131_074)]).toEqual([false, true, false]);
  });
});
