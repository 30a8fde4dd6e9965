/**
 * The anti-gaming detectors on plain values: each seeded gaming pattern raises its flag, with its
 * figures and the entries that raised it; ordinary activity raises none; a replayed batch opens
 * nothing twice and counts nothing twice (fakes of the ports with DynamoDB's conditions).
 */
import { describe, expect, it } from "vitest";
import {
  defaultSettings,
  type EventObservation,
  type Flag,
  type Observation,
  type ObservationStore,
  personFlags,
  type ReviewItem,
  sourceVelocity,
  watch,
} from "../../domain/integrity/index.ts";
import type { PersonId } from "../../domain/kernel/model.ts";
import type { EventRecord, LedgerEntry } from "../../domain/ledger/index.ts";

const liu = "liu-yang" as PersonId;
const wang = "wang-fang" as PersonId;
const hour = 3_600_000;
const now = "2026-11-30T10:00:00.000Z";
const at = (hoursAgo: number) => new Date(Date.parse(now) - hoursAgo * hour).toISOString();

let n = 0;
const event = (hoursAgo: number, extra: Partial<EventObservation> = {}): EventObservation => {
  n += 1;
  return {
    key: `${at(hoursAgo)}#event#src#e${n}`,
    personId: liu,
    at: at(hoursAgo),
    kind: "event",
    sourceId: "src",
    eventId: `e${n}`,
    content: `c${n}`,
    entryIds: [`person.liu-yang.${n}`],
    near: [],
    ...extra,
  };
};
const detectorsOf = (flags: Flag[]) => flags.map((f) => f.detector);

describe("person velocity", () => {
  it("flags a day of awards far over the person's own daily mean, naming today's entries", () => {
    const history = Array.from({ length: 28 }, (_, day) => event(24 * (day + 1)));
    const today = Array.from({ length: 25 }, (_, i) => event(i / 10));
    const [flag] = personFlags(liu, [...history, ...today], now, defaultSettings);
    expect(flag?.detector).toBe("person-velocity");
    expect(flag?.figures).toMatchObject({ today: 25, baselinePerDay: 1, multiple: 5, floor: 20 });
    expect(flag?.entryIds).toHaveLength(25);
    expect(flag?.explained.en).toContain("25 awarding events today");
  });

  it("raises nothing for a busy day that is the person's usual pace", () => {
    const history = Array.from({ length: 28 * 8 }, (_, i) => event(24 * (Math.floor(i / 8) + 1)));
    const today = Array.from({ length: 25 }, (_, i) => event(i / 10));
    expect(personFlags(liu, [...history, ...today], now, defaultSettings)).toEqual([]);
  });

  it("counts only events that awarded something", () => {
    const today = Array.from({ length: 30 }, (_, i) => event(i / 10, { entryIds: [] }));
    expect(personFlags(liu, today, now, defaultSettings)).toEqual([]);
  });
});

describe("source velocity", () => {
  it("flags a source sending many times its daily mean", () => {
    const counts = new Map([
      ...Array.from({ length: 10 }, (_, i) => [`2026-11-${String(20 + i).padStart(2, "0")}`, 100] as const),
      ["2026-11-30", 600],
    ]);
    const [flag] = sourceVelocity("src", counts, [event(1)], now, defaultSettings);
    expect(flag).toMatchObject({ flagId: "source-velocity:src:2026-11-30", figures: { today: 600, baselinePerDay: 100 } });
    expect(sourceVelocity("src", new Map([...counts, ["2026-11-30", 499]]), [], now, defaultSettings)).toEqual([]);
  });
});

describe("threshold bursts", () => {
  const near = (value: number) => [{ ruleId: "course-passed", field: "score", threshold: 80, value, passed: value >= 80 }];

  it("flags near misses of a rule's threshold followed by a pass just over it", () => {
    const window = [event(5, { near: near(78) }), event(4, { near: near(79) }), event(3, { near: near(79) }), event(2, { near: near(80) })];
    const [flag] = personFlags(liu, window, now, defaultSettings).filter((f) => f.detector === "threshold-burst");
    expect(flag?.figures).toMatchObject({ threshold: 80, nearMisses: 3, passedWith: 80 });
    expect(flag?.eventIds).toEqual(window.map((o) => `src/${o.eventId}`));
  });

  it("raises nothing for two tries before a pass, or misses spread over days", () => {
    expect(
      detectorsOf(
        personFlags(liu, [event(3, { near: near(79) }), event(2, { near: near(79) }), event(1, { near: near(81) })], now, defaultSettings),
      ),
    ).toEqual([]);
    const spread = [
      event(100, { near: near(78) }),
      event(70, { near: near(79) }),
      event(40, { near: near(79) }),
      event(1, { near: near(80) }),
    ];
    expect(detectorsOf(personFlags(liu, spread, now, defaultSettings))).toEqual([]);
  });
});

describe("reciprocal credits", () => {
  const credit = (hoursAgo: number, direction: "gave" | "got", other: PersonId, amount: number): Observation => ({
    key: `${at(hoursAgo)}#${direction}#x${hoursAgo}`,
    personId: liu,
    at: at(hoursAgo),
    kind: "credit",
    direction,
    other,
    entryId: `person.x.${hoursAgo}`,
    amount,
    asset: "coin",
  });

  it("flags two people crediting each other, once for the pair", () => {
    const [flag] = personFlags(liu, [credit(30, "gave", wang, 100), credit(5, "got", wang, 90)], now, defaultSettings);
    expect(flag).toMatchObject({ detector: "reciprocal-credit", people: [liu, wang], figures: { amount: 100, amountBack: 90 } });
    expect(flag?.entryIds).toEqual(["person.x.30", "person.x.5"]);
  });

  it("raises nothing for credits one way, or credited back long after", () => {
    expect(personFlags(liu, [credit(30, "gave", wang, 100), credit(5, "gave", wang, 90)], now, defaultSettings)).toEqual([]);
    expect(personFlags(liu, [credit(24 * 40, "gave", wang, 100), credit(5, "got", wang, 90)], now, defaultSettings)).toEqual([]);
  });
});

describe("retract and resend", () => {
  const retracted = (hoursAgo: number, eventId: string): Observation => ({
    key: `${at(hoursAgo)}#retracted#src#${eventId}`,
    personId: liu,
    at: at(hoursAgo),
    kind: "retracted",
    sourceId: "src",
    eventId,
    content: "same",
    entryIds: [],
  });

  it("flags the same content retracted and sent again under new ids twice", () => {
    const window = [event(6, { eventId: "a1", content: "same" }), retracted(5, "a1"), event(4, { eventId: "a2", content: "same" })];
    expect(personFlags(liu, window, now, defaultSettings)).toEqual([]);
    const again = [...window, retracted(3, "a2"), event(2, { eventId: "a3", content: "same" })];
    const [flag] = personFlags(liu, again, now, defaultSettings);
    expect(flag).toMatchObject({ detector: "retract-resend", figures: { retracted: 2, resent: 2 } });
  });
});

/**
 * Fakes with the ports' promises: kept observations by key, each event counted once however often
 * it comes, and the people's chains made of the awards of the records watched (the ledger).
 */
function fakes() {
  const kept = new Map<string, Observation>();
  const counted = new Set<string>();
  const counts = new Map<string, number>();
  const chains: LedgerEntry[] = [];
  const reviews = new Map<string, ReviewItem>();
  const originals = new Map<string, EventRecord>();
  /** How deep each read of a chain went. */
  const depths: number[] = [];
  const store: ObservationStore = {
    async observe(observations) {
      for (const o of observations) kept.set(`${o.personId}/${o.key}`, o);
    },
    async count(_range, events) {
      for (const e of events.filter((e) => !counted.has(`${e.sourceId}/${e.eventId}`))) {
        counted.add(`${e.sourceId}/${e.eventId}`);
        counts.set(`${e.sourceId}/${e.day}`, (counts.get(`${e.sourceId}/${e.day}`) ?? 0) + 1);
      }
    },
    async window(personId) {
      return [...kept.values()].filter((o) => o.personId === personId).sort((a, b) => a.at.localeCompare(b.at));
    },
    async chain(personId, since, limit) {
      depths.push(limit);
      return chains.filter((e) => e.holder === `person:${personId}` && e.recordedAt >= since).slice(-limit);
    },
    async sourceDays(sourceId) {
      return new Map([...counts].filter(([k]) => k.startsWith(`${sourceId}/`)).map(([k, v]) => [k.split("/")[1] as string, v]));
    },
    async originalEvent(sourceId, eventId) {
      return originals.get(`${sourceId}/${eventId}`);
    },
  };
  /** What the webhook wrote before the stream delivered it: the records' award entries in their people's chains. */
  const recorded = (records: readonly EventRecord[]) => {
    for (const r of records) {
      originals.set(`${r.sourceId}/${r.eventId}`, r);
      for (const a of r.awards)
        chains.push({
          entryId: a.entryId,
          holder: `person:${a.personId}`,
          kind: r.retracts ? "reversal" : "award",
          actor: { kind: "source", sourceId: r.sourceId, eventId: r.eventId },
          recordedAt: r.recordedAt,
        } as unknown as LedgerEntry);
    }
    return records;
  };
  const open = async (item: ReviewItem) => {
    if (reviews.has(item.flagId)) return false;
    reviews.set(item.flagId, item);
    return true;
  };
  const known = async (ids: readonly string[]) => new Set(ids.filter((id) => reviews.has(id)));
  const deps = { observations: store, reviews: { open, known }, rules: async () => [], settings: defaultSettings };
  return { deps, kept, counts, reviews, recorded, depths };
}

const range = { from: "1", to: "100" };

describe("watching the stream", () => {
  const record = (i: number, extra: Partial<EventRecord> = {}): EventRecord => ({
    sourceId: "src",
    eventId: `w${i}`,
    type: "com.tianma.learning.course.completed",
    fingerprint: "f",
    recordedAt: new Date(Date.parse(now) + i * 1000).toISOString(),
    awards: [{ personId: liu, entryId: `person.liu-yang.${i}` as never, asset: "coin", amount: 20, kind: "award", reason: "r" }],
    effects: [],
    subject: liu,
    data: { courseId: `c${i}`, score: 90 },
    ...extra,
  });
  const credit = (giver: PersonId, receiver: PersonId, seq: number) =>
    ({
      entryId: `person.${receiver}.${seq}`,
      holder: `person:${receiver}`,
      seq,
      kind: "award",
      asset: "coin",
      amount: 50,
      actor: { kind: "person", personId: giver },
      recordedAt: at(seq),
    }) as unknown as LedgerEntry;

  it("opens one review item per cause, and a replayed batch counts and opens nothing again", async () => {
    const { deps, counts, reviews, recorded } = fakes();
    const events = recorded(Array.from({ length: 21 }, (_, i) => record(i)));
    const entries = [credit(liu, wang, 2), credit(wang, liu, 1)];
    await watch(deps, { events, entries, range });
    await watch(deps, { events, entries, range });
    expect(counts.get("src/2026-11-30")).toBe(21);
    expect([...reviews.keys()].sort()).toEqual(["person-velocity:liu-yang:2026-11-30", "reciprocal-credit:liu-yang:wang-fang:2026-11"]);
  });

  it("keeps nothing of an ordinary event, and finds a person's pace in their chain", async () => {
    const { deps, kept, reviews, recorded } = fakes();
    await watch(deps, { events: recorded(Array.from({ length: 12 }, (_, i) => record(i))), entries: [], range });
    expect(kept.size).toBe(0);
    expect(reviews.size).toBe(0);
    await watch(deps, {
      events: recorded(Array.from({ length: 9 }, (_, i) => record(12 + i))),
      entries: [],
      range: { from: "101", to: "200" },
    });
    expect(kept.size).toBe(0);
    expect(reviews.get("person-velocity:liu-yang:2026-11-30")?.figures).toMatchObject({ today: 21 });
  });

  it("reads a chain past the daily floor's number of entries only when they are all today's", async () => {
    const { deps, reviews, recorded, depths } = fakes();
    const yesterday = (i: number) => record(i, { recordedAt: new Date(Date.parse(now) - 86_400_000 + i * 1000).toISOString() });
    recorded(Array.from({ length: 30 }, (_, i) => yesterday(100 + i)));
    await watch(deps, { events: recorded([record(1), record(2)]), entries: [], range });
    expect(depths).toEqual([20]);
    await watch(deps, {
      events: recorded(Array.from({ length: 19 }, (_, i) => record(3 + i))),
      entries: [],
      range: { from: "101", to: "200" },
    });
    expect(depths).toEqual([20, 20, 2000]);
    // 21 today against a baseline of 30 a day: not a spike, which only the whole window shows.
    expect(reviews.size).toBe(0);
  });

  it("keeps a measure near a threshold, a retraction and the same content sent again", async () => {
    const { deps, kept, recorded } = fakes();
    const rules = async () =>
      [{ id: "course-passed", eventType: "com.tianma.learning.course.completed", when: { field: "score", op: "gte", value: 80 } }] as never;
    const near = record(1, { data: { courseId: "x", score: 79 } });
    await watch({ ...deps, rules }, { events: recorded([near, record(2)]), entries: [], range });
    expect([...kept.values()].map((o) => `${o.kind}:${"eventId" in o ? o.eventId : ""}`)).toEqual(["event:w1"]);

    const retraction = record(3, {
      eventId: "r1",
      retracts: "w2",
      awards: record(2).awards.map((a) => ({ ...a, kind: "reversal" as never })),
    });
    await watch(deps, { events: recorded([retraction]), entries: [], range: { from: "101", to: "101" } });
    const resent = record(4, { data: { courseId: "c2", score: 90 } });
    await watch(deps, { events: recorded([resent, record(5)]), entries: [], range: { from: "102", to: "103" } });
    expect([...kept.values()].map((o) => `${o.kind}:${"eventId" in o ? o.eventId : ""}`).sort()).toEqual([
      "event:w1",
      "event:w4",
      "retracted:w2",
    ]);
  });
});

describe("days in the company's time zone (Asia/Shanghai by default)", () => {
  const at = (instant: string, i: number): EventRecord => ({
    sourceId: "src",
    eventId: `tz${i}`,
    type: "t",
    fingerprint: "f",
    recordedAt: instant,
    awards: [{ personId: liu, entryId: `person.liu-yang.${i}` as never, asset: "coin", amount: 1, kind: "award", reason: "r" }],
    effects: [],
    subject: liu,
  });

  it("counts 23:30 and 00:30 Beijing time on two days, though both are one UTC day", async () => {
    const { deps, counts, recorded } = fakes();
    const events = recorded([at("2026-11-30T15:30:00.000Z", 1), at("2026-11-30T16:30:00.000Z", 2)]);
    await watch(deps, { events, entries: [], range });
    expect(Object.fromEntries(counts)).toEqual({ "src/2026-11-30": 1, "src/2026-12-01": 1 });
  });

  it("names a spike after 00:00 Beijing time by the company's new day, and a UTC company's by its own", async () => {
    const spike = (i: number) => at(new Date(Date.parse("2026-11-30T16:05:00.000Z") + i * 60_000).toISOString(), 10 + i);
    const beijing = fakes();
    await watch(beijing.deps, { events: beijing.recorded(Array.from({ length: 21 }, (_, i) => spike(i))), entries: [], range });
    expect([...beijing.reviews.keys()]).toEqual(["person-velocity:liu-yang:2026-12-01"]);
    const utc = fakes();
    const deps = { ...utc.deps, settings: { ...defaultSettings, timeZone: "UTC" } };
    await watch(deps, { events: utc.recorded(Array.from({ length: 21 }, (_, i) => spike(i))), entries: [], range });
    expect([...utc.reviews.keys()]).toEqual(["person-velocity:liu-yang:2026-11-30"]);
  });
});
