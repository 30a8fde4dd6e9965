import { describe, expect, it } from "vitest";
import { DefinitionChanges, type DefinitionStore, type Versioned } from "../../domain/kernel/definitions.ts";
import { assertNotSelf, authorsOf, SelfDealingError, selfDealingCodes } from "../../domain/kernel/duties.ts";
import { DomainError } from "../../domain/kernel/errors.ts";
import type { PersonId } from "../../domain/kernel/model.ts";

const ann = "ann" as PersonId;
const bob = "bob" as PersonId;

/** A port fake: versions by kind and id, with the store's optimistic condition. */
function memoryStore(): DefinitionStore {
  const items = new Map<string, Versioned<unknown>>();
  const get = async <T>(kind: string, id: string) => items.get(`${kind}/${id}`) as Versioned<T> | undefined;
  return {
    get,
    peek: get,
    list: async <T>(kind: string) => [...items].filter(([k]) => k.startsWith(`${kind}/`)).map(([, v]) => v as Versioned<T>),
    put: async (kind, definition, previous) => {
      if ((items.get(`${kind}/${definition.id}`)?.version ?? 0) !== previous)
        throw new DomainError("conflict", "definition-changed", "moved on");
      items.set(`${kind}/${definition.id}`, definition);
    },
  };
}

const changes = (policy = { kinds: ["gate"] as const, ruleAwardAbove: 100 }) =>
  new DefinitionChanges({ definitions: memoryStore(), clock: { now: () => new Date("2026-12-01T00:00:00Z") }, fourEyes: () => policy });

describe("separation of duties", () => {
  it("refuses each duty on oneself with its own code, and allows it on anyone else", () => {
    for (const duty of Object.keys(selfDealingCodes) as (keyof typeof selfDealingCodes)[]) {
      expect(() => assertNotSelf(duty, ann, [bob, ann])).toThrow(
        expect.objectContaining({ code: selfDealingCodes[duty], kind: "forbidden" }),
      );
      expect(() => assertNotSelf(duty, ann, [bob])).not.toThrow();
    }
    expect(new Set(Object.values(selfDealingCodes)).size).toBe(Object.keys(selfDealingCodes).length);
  });

  it("a version's authors are its writer and its approver", () => {
    expect(authorsOf({ updatedBy: ann })).toEqual([ann]);
    expect(authorsOf({ updatedBy: ann, approvedBy: bob })).toEqual([ann, bob]);
  });
});

describe("four eyes", () => {
  it("a change under the threshold is the next version at once", async () => {
    const result = await changes().change(ann, "rule", "r", { coins: 100 }, { awardPerEvent: 100 });
    expect(result).toMatchObject({ status: "current", view: { version: 1, updatedBy: ann } });
  });

  it("a change over the threshold waits; its author cannot approve it, another admin can", async () => {
    const book = changes();
    const proposed = await book.change(ann, "rule", "r", { coins: 101 }, { awardPerEvent: 101 });
    expect(proposed).toMatchObject({ status: "pending", view: { proposal: 1, basedOn: 0, proposedBy: ann } });
    await expect(book.approve(ann, "rule", "r", 1)).rejects.toBeInstanceOf(SelfDealingError);
    await expect(book.approve(bob, "rule", "r", 1)).resolves.toMatchObject({ version: 1, updatedBy: ann, approvedBy: bob });
    expect(await book.pending("rule", "r")).toBeUndefined();
    // A retry of the same approval answers with the version it made; anyone else finds nothing pending.
    await expect(book.approve(bob, "rule", "r", 1)).resolves.toMatchObject({ version: 1, approvedBy: bob });
    await expect(book.approve("cy" as PersonId, "rule", "r", 1)).rejects.toMatchObject({ code: "no-pending-change" });
  });

  it("a change made from an older version than the current one is refused as a version mismatch (If-Match)", async () => {
    const book = changes();
    await book.change(ann, "rule", "r", { coins: 5 }, { ifMatch: 0 });
    await book.change(bob, "rule", "r", { coins: 6 }, { ifMatch: 1 });
    await expect(book.change(ann, "rule", "r", { coins: 7 }, { ifMatch: 1 })).rejects.toMatchObject({
      code: "version-mismatch",
      details: { version: 2, ifMatch: 1 },
    });
  });

  it("a proposal overtaken by a direct change is no longer pending", async () => {
    const book = changes();
    await book.change(ann, "rule", "r", { coins: 500 }, { awardPerEvent: 500 });
    await book.change(bob, "rule", "r", { coins: 5 }, { awardPerEvent: 5 });
    expect(await book.pending("rule", "r")).toBeUndefined();
  });

  it("every change of a kind under four eyes waits, whatever it pays", async () => {
    expect((await changes().change(ann, "gate", "g", {})).status).toBe("pending");
  });

  it("a proposal is dry-run as the version it would become, and approved completed from the current version", async () => {
    const definitions = memoryStore();
    const clock = { now: () => new Date("2026-12-01T00:00:00Z") };
    const book = new DefinitionChanges({ definitions, clock, fourEyes: () => ({ kinds: ["source"] }) });
    await definitions.put("source", { id: "s", version: 1, updatedAt: "t", updatedBy: bob, body: { name: "a", secrets: ["sealed"] } }, 0);
    await book.change(ann, "source", "s", { name: "b" });
    const keep = (proposed: { name: string }, current: Versioned<{ secrets: string[] }> | undefined) => ({
      ...proposed,
      secrets: current?.body.secrets ?? [],
    });
    expect(await book.pendingVersion("source", "s", keep)).toMatchObject({
      version: 2,
      updatedBy: ann,
      body: { name: "b", secrets: ["sealed"] },
    });
    expect(await book.withPending("source", "s", (v) => ({ name: (v.body as { name: string }).name }))).toMatchObject({
      name: "a",
      pending: { proposal: 1, definition: { name: "b" } },
    });
    expect(await book.approve(bob, "source", "s", 1, keep)).toMatchObject({
      version: 2,
      approvedBy: bob,
      definition: { secrets: ["sealed"] },
    });
    await expect(book.pendingVersion("source", "s")).rejects.toMatchObject({ code: "no-pending-change" });
    await expect(book.withPending("source", "none", (v) => v)).rejects.toMatchObject({ code: "source-not-found" });
  });
});
