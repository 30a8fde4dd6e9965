import { describe, expect, it } from "vitest";
import { as, type Client } from "../support/api.ts";
import { ledgerProblems, storedChain } from "../support/invariants.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";

const { admin, secrets } = await withDemoDefinitions();
const learning = "tianma-learning";
const oa = "tianma-oa";
const course = "com.tianma.learning.course.completed";
const certification = "com.tianma.learning.certification.passed";
const approval = "com.tianma.oa.approval.completed";
const secret = secrets[learning] as string;

const balancesOf = async (personId: string, client: Client = admin) => (await client.get(`/people/${personId}/balances`)).body;

describe("signatures (Standard Webhooks)", () => {
  const event = () => cloudEvent(course, "yang-xue", { courseId: "c1", score: 90 });

  it("a request signed with the source's secret is accepted", async () => {
    const response = await deliver(learning, event(), { secret });
    expect(response.status).toBe(200);
    expect(response.body.results[0].status).toBe("accepted");
  });

  it("a wrong secret, an old or future timestamp, a tampered body or missing headers are 401 and write nothing", async () => {
    const before = (await storedChain("huang-tao")).entries.length;
    const e = cloudEvent(course, "huang-tao", { courseId: "c1", score: 90 });
    const wrongSecret = await deliver(learning, e, { secret: secrets[oa] as string });
    const old = await deliver(learning, e, { secret, timestamp: new Date(Date.now() - 6 * 60_000) });
    const future = await deliver(learning, e, { secret, timestamp: new Date(Date.now() + 6 * 60_000) });
    for (const response of [wrongSecret, old, future]) {
      expect(response.status).toBe(401);
      expect(response.body.code).toBe("unauthenticated");
    }
    const body = JSON.stringify(e);
    const signed = await deliver(learning, body, { secret, id: "msg_fixed" });
    expect(signed.status).toBe(200);
    const { call } = await import("../support/api.ts");
    const tampered = await call("POST", `/webhooks/${learning}`, {
      body: body.replace('"score":90', '"score":99'),
      headers: {
        "content-type": "application/cloudevents+json",
        "webhook-id": "msg_fixed",
        "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
        "webhook-signature": "v1,AAAA",
      },
    });
    expect(tampered.status).toBe(401);
    const missing = await call("POST", `/webhooks/${learning}`, { body, headers: { "content-type": "application/cloudevents+json" } });
    expect(missing.status).toBe(401);
    expect((await storedChain("huang-tao")).entries.length).toBe(before + 3);
  });

  it("an unknown source is refused like a bad signature", async () => {
    const response = await deliver("no-such-source", event(), { secret });
    expect(response.status).toBe(401);
  });

  it("after a rotation both the old and the new secret work during the overlap", async () => {
    const rotated = await admin.post(`/admin/sources/${oa}/secrets`, { overlapHours: 1 });
    expect(rotated.status).toBe(201);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secrets).toHaveLength(2);
    expect(JSON.stringify(rotated.body)).not.toContain("sealed");
    for (const key of [secrets[oa] as string, rotated.body.secret]) {
      const response = await deliver(oa, cloudEvent(approval, "wu-min", { online: true }), { secret: key });
      expect(response.body.results[0].status).toBe("accepted");
    }
  });
});

describe("events", () => {
  it("a course passed with 90 awards coins and points by rule, with the rule's version on each entry", async () => {
    const response = await deliver(learning, cloudEvent(course, "xu-jing", { courseId: "ai-101", score: 90 }), { secret });
    const [result] = response.body.results;
    expect(result.status).toBe("accepted");
    expect(result.awards).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ personId: "xu-jing", asset: "coin", amount: 20, ruleId: "course-passed", ruleVersion: 1 }),
        expect.objectContaining({ asset: "point:tool-operation", amount: 10, ruleId: "course-passed" }),
        expect.objectContaining({ asset: "coin", amount: 10, ruleId: "first-course" }),
      ]),
    );
    const balances = await balancesOf("xu-jing");
    expect(balances.coins).toBe(30);
    expect(balances.points.byCapability["tool-operation"]).toBe(10);
    const [entry] = (await admin.get("/people/xu-jing/ledger?limit=1")).body.entries;
    expect(entry.actor).toMatchObject({ kind: "source", sourceId: learning, eventId: result.id });
    const entries = (await admin.get("/people/xu-jing/ledger?limit=3")).body.entries;
    expect(entries.map((e: { explained: unknown }) => e.explained)).toEqual(
      expect.arrayContaining([
        { zh: "课程考核 80 分以上", en: "Course passed with 80 or more" },
        { zh: "数字化学习启航（首次）", en: "First digital course completed (first time)" },
      ]),
    );
  });

  it("a score under the threshold earns only the first-time award", async () => {
    const response = await deliver(learning, cloudEvent(course, "ma-chao", { courseId: "ai-101", score: 60 }), { secret });
    expect(response.body.results[0].awards.map((a: { ruleId: string }) => a.ruleId)).toEqual(["first-course"]);
  });

  it("a batch mixes accepted, duplicate and rejected events, each with its own answer", async () => {
    const first = cloudEvent(course, "hu-yan", { courseId: "c2", score: 85 });
    await deliver(learning, first, { secret });
    const batch = [
      cloudEvent(course, "hu-yan", { courseId: "c3", score: 88 }),
      first,
      { ...first, data: { courseId: "c2", score: 99 } },
      cloudEvent(course, "ghost", { courseId: "c1", score: 90 }),
      cloudEvent("com.tianma.oa.approval.completed", "hu-yan", { online: true }),
      cloudEvent(course, "hu-yan", { courseId: "c4", score: "high" }),
      cloudEvent(course, "hu-yan", { courseId: "c4", score: 90 }, { time: new Date(Date.now() - 40 * 86_400_000).toISOString() }),
      { id: "broken", type: course },
    ];
    const response = await deliver(learning, batch, { secret });
    expect(response.status).toBe(200);
    const results = response.body.results;
    expect(results.map((r: { status: string }) => r.status)).toEqual([
      "accepted",
      "duplicate",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
    ]);
    expect(results[1].awards).toEqual((await deliver(learning, first, { secret })).body.results[0].awards);
    expect(results.slice(2).map((r: { problem: { code: string } }) => r.problem.code)).toEqual([
      "event-id-reused",
      "person-unknown",
      "event-type-not-allowed",
      "data-invalid",
      "event-too-old",
      "event-invalid",
    ]);
    expect(results[5].problem.invalidFields[0].path).toBe("data.score");
  });

  it("the same event delivered 20 times in parallel produces one set of awards", async () => {
    const event = cloudEvent(course, "lin-feng", { courseId: "parallel", score: 95 });
    const responses = await Promise.all(Array.from({ length: 20 }, () => deliver(learning, event, { secret })));
    const statuses = responses.map((r) => r.body.results[0].status);
    expect(statuses.filter((s) => s === "accepted")).toHaveLength(1);
    expect(statuses.filter((s) => s === "duplicate")).toHaveLength(19);
    expect((await balancesOf("lin-feng")).coins).toBe(30);
  });

  it("two different events for one person in parallel are both counted", async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => deliver(oa, cloudEvent(approval, "liang-yu", { online: true }), { secret: secrets[oa] as string })),
    );
    expect(responses.map((r) => r.body.results[0].status)).toEqual(Array(10).fill("accepted"));
    // The 10th online approval earns the count rule's award, exactly once.
    expect((await balancesOf("liang-yu")).coins).toBe(50);
  });

  it("a batch of 60 events for one person awards exactly what the same events one by one award, answered in order", async () => {
    const sequence = (personId: string) =>
      Array.from({ length: 60 }, (_, n) =>
        n % 3 === 2
          ? cloudEvent(course, personId, { courseId: `batch-${n}`, score: 80 + (n % 20) })
          : cloudEvent(approval, personId, { online: n % 4 !== 0 }),
      );
    const send = (event: ReturnType<typeof cloudEvent>) => (event.type === course ? learning : oa);
    const oneByOne: unknown[] = [];
    for (const event of sequence("he-ying")) {
      const response = await deliver(send(event), event, { secret: secrets[send(event)] as string });
      oneByOne.push(response.body.results[0]);
    }
    // The two sources' events in two batches, each person's order kept within each.
    const together = sequence("xie-kai");
    const batches = await Promise.all(
      [oa, learning].map((source) =>
        deliver(
          source,
          together.filter((e) => send(e) === source),
          { secret: secrets[source] as string },
        ),
      ),
    );
    const answers = new Map(batches.flatMap((b) => b.body.results).map((r: { id: string }) => [r.id, r]));
    const shape = (result: unknown) =>
      (result as { status: string; awards: { asset: string; amount: number; ruleId?: string }[] }).awards.map(
        (a) => `${a.asset}:${a.amount}:${a.ruleId ?? ""}`,
      );
    expect(together.map((e) => (answers.get(e.id) as unknown as { status: string }).status)).toEqual(Array(60).fill("accepted"));
    const ordered = together.map((e) => answers.get(e.id));
    // Per source the batch answered in its own order; the awards match event for event only where order within a source decides.
    expect(ordered.flatMap(shape).sort()).toEqual(oneByOne.flatMap(shape).sort());
    const [a, b] = [await balancesOf("he-ying"), await balancesOf("xie-kai")];
    expect({ coins: b.coins, points: b.points }).toEqual({ coins: a.coins, points: a.points });
    for (const batch of batches) {
      const ids = batch.body.results.map((r: { id: string }) => r.id);
      expect(ids).toEqual(together.filter((e) => ids.includes(e.id)).map((e) => e.id));
    }
    expect((await storedChain("xie-kai")).entries.length).toBe((await storedChain("he-ying")).entries.length);
    expect(await ledgerProblems()).toEqual([]);
  });

  it("a team bounty is split among the team's members, adding up exactly", async () => {
    const response = await deliver(oa, cloudEvent("com.tianma.oa.bounty.closed", undefined, { team: "store-south", bountyId: "b1" }), {
      secret: secrets[oa] as string,
    });
    const awards = response.body.results[0].awards.filter((a: { asset: string }) => a.asset === "coin");
    expect(awards.map((a: { personId: string }) => a.personId).sort()).toEqual(["hu-yan", "ma-chao", "xu-jing"]);
    expect(awards.reduce((sum: number, a: { amount: number }) => sum + a.amount, 0)).toBe(300);
  });

  it("malformed JSON is a 400 and a batch over 100 events a 413 for the whole request", async () => {
    const malformed = await deliver(learning, "{nope", { secret });
    expect([malformed.status, malformed.body.code]).toEqual([400, "malformed-json"]);
    const tooMany = Array.from({ length: 101 }, () => cloudEvent(course, "yang-xue", { courseId: "x", score: 90 }));
    const response = await deliver(learning, tooMany, { secret });
    expect([response.status, response.body.code]).toEqual([413, "batch-too-large"]);
  });

  it("a dry run answers with the awards it would make, without entry ids, and writes nothing", async () => {
    const before = await storedChain("song-jia");
    const response = await deliver(learning, cloudEvent(course, "song-jia", { courseId: "dry", score: 99 }), {
      secret,
      query: "?dryRun=true",
    });
    expect(response.body.results[0]).toMatchObject({ status: "accepted", dryRun: true });
    expect(response.body.results[0].awards.length).toBeGreaterThan(0);
    expect(response.body.results[0].awards.filter((award: { entryId?: string }) => award.entryId !== undefined)).toEqual([]);
    expect(await storedChain("song-jia")).toEqual(before);
  });
});

describe("badges", () => {
  it("passing certification exams climbs the ladder: each level once, with its grants", async () => {
    for (let i = 1; i <= 2; i++) await deliver(learning, cloudEvent(certification, "gao-bo", { level: i }), { secret });
    const balances = await balancesOf("gao-bo");
    expect(balances.badges).toContainEqual({ badgeId: "certification", levels: [1, 2] });
    expect(balances.coins).toBe(100);
    const ledger = (await admin.get("/people/gao-bo/ledger?limit=20")).body.entries;
    const level2 = ledger.find((e: { asset: string }) => e.asset === "badge:certification:2");
    expect(level2.explained.en).toBe("Badge earned: Digital certification · Digital manager");
    expect(level2.cause).toMatchObject({ code: "badge", params: { badgeId: "certification", level: 2 } });
  });

  it("revoking a badge level reverses it and the coins it granted", async () => {
    const ledger = (await admin.get("/people/gao-bo/ledger?limit=20")).body.entries;
    const level2 = ledger.find((e: { asset: string }) => e.asset === "badge:certification:2");
    const response = await admin.post(`/ledger/${level2.entryId}/reversal`, { reason: "exam result annulled" });
    expect(response.status).toBe(201);
    expect(response.body.entries.map((e: { asset: string }) => e.asset).sort()).toEqual(["badge:certification:2", "coin"]);
    const balances = await balancesOf("gao-bo");
    expect(balances.badges).toContainEqual({ badgeId: "certification", levels: [1] });
    expect(balances.coins).toBe(0);
  });

  it("a badge whose criterion names an unknown rule is refused", async () => {
    const response = await admin.put("/admin/badges/broken", {
      name: { zh: "坏", en: "Broken" },
      description: { zh: "x", en: "x" },
      imageUrl: "https://laurel.example.com/x.svg",
      capability: "data-assurance",
      levels: [{ level: 1, name: { zh: "一", en: "One" }, criteria: [{ kind: "ruleCount", ruleId: "no-such-rule", atLeast: 1 }] }],
    });
    expect([response.status, response.body.code]).toEqual([422, "badge-criterion-unknown-rule"]);
  });
});

describe("retraction", () => {
  it("retracting an event reverses every award it caused, including badge levels that no longer hold, and nothing else", async () => {
    const e1 = cloudEvent(course, "zheng-hui", { courseId: "r1", score: 90 });
    const e2 = cloudEvent(course, "zheng-hui", { courseId: "r2", score: 90 });
    const e3 = cloudEvent(course, "zheng-hui", { courseId: "r3", score: 90 });
    for (const e of [e1, e2, e3]) await deliver(learning, e, { secret });
    const before = await balancesOf("zheng-hui");
    expect(before.badges).toContainEqual({ badgeId: "digital-learner", levels: [1] });
    expect(before.points.byCapability["tool-operation"]).toBe(30);

    const retraction = cloudEvent("laurel.event.retracted", undefined, { eventId: e2.id, reason: "course record corrected" });
    const response = await deliver(learning, retraction, { secret });
    expect(response.body.results[0].status).toBe("accepted");
    const after = await balancesOf("zheng-hui");
    expect(after.points.byCapability["tool-operation"]).toBe(20);
    expect(after.coins).toBe(before.coins - 20);
    expect(after.badges.find((b: { badgeId: string }) => b.badgeId === "digital-learner")).toBeUndefined();

    const reversals = (await admin.get("/people/zheng-hui/ledger?limit=20")).body.entries.filter(
      (e: { kind: string }) => e.kind === "reversal",
    );
    expect(reversals.map((e: { explained?: { en: string } }) => e.explained?.en)).toContain("The source system retracted the event");

    const again = await deliver(learning, retraction, { secret });
    expect(again.body.results[0].status).toBe("duplicate");
    const other = await deliver(learning, cloudEvent("laurel.event.retracted", undefined, { eventId: e2.id }), { secret });
    expect(other.body.results[0].problem.code).toBe("already-retracted");
  });

  it("retraction corrects the daily cap: the next course that day counts again", async () => {
    const events = [1, 2, 3].map((i) => cloudEvent(course, "tang-jun", { courseId: `cap${i}`, score: 90 }));
    for (const e of events) await deliver(learning, e, { secret });
    const capped = await deliver(learning, cloudEvent(course, "tang-jun", { courseId: "cap4", score: 90 }), { secret });
    expect(capped.body.results[0].awards.filter((a: { asset: string }) => a.asset.startsWith("point")).length).toBe(0);
    await deliver(learning, cloudEvent("laurel.event.retracted", undefined, { eventId: events[0]?.id }), { secret });
    const next = await deliver(learning, cloudEvent(course, "tang-jun", { courseId: "cap5", score: 90 }), { secret });
    expect(next.body.results[0].awards).toContainEqual(expect.objectContaining({ asset: "point:tool-operation", amount: 10 }));
  });

  it("an admin's retraction retried with the same Idempotency-Key later answers as the first time", async () => {
    const e = cloudEvent(course, "luo-xin", { courseId: "retry", score: 90 });
    await deliver(learning, e, { secret });
    const send = () =>
      admin.post(
        `/admin/sources/${learning}/events/${e.id}/retraction`,
        { reason: "sent by mistake" },
        { "idempotency-key": "retract-once-0001" },
      );
    const first = await send();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const again = await send();
    expect(first.body.status).toBe("accepted");
    expect(again.body).toEqual({ ...first.body, status: "duplicate" });
  });

  it("an admin's retraction of an unknown event is a 404 problem, not a 200", async () => {
    const response = await admin.post(`/admin/sources/${learning}/events/never-sent/retraction`, { reason: "x" });
    expect([response.status, response.body.code]).toEqual([404, "event-unknown"]);
  });

  it("an admin can retract on behalf of a source", async () => {
    const e = cloudEvent(course, "feng-lan", { courseId: "adm", score: 90 });
    await deliver(learning, e, { secret });
    const response = await admin.post(`/admin/sources/${learning}/events/${e.id}/retraction`, { reason: "sent by mistake" });
    expect(response.status).toBe(200);
    expect(response.body.status).toBe("accepted");
    expect((await balancesOf("feng-lan")).coins).toBe(0);
    expect(
      (await (await as("feng-lan", "manager")).post(`/admin/sources/${learning}/events/${e.id}/retraction`, { reason: "x" })).status,
    ).toBe(403);
  });
});

describe("rules", () => {
  it("a manager reads how to earn: each rule's names, award and trigger, not its conditions", async () => {
    const manager = await as("yang-xue", "manager");
    const { rules } = (await manager.get("/rules")).body;
    const passed = rules.find((r: { ruleId: string }) => r.ruleId === "course-passed");
    expect(passed).toEqual({
      ruleId: "course-passed",
      name: { zh: "课程考核 80 分以上", en: "Course passed with 80 or more" },
      award: expect.objectContaining({ points: { capability: "tool-operation", amount: 10 } }),
      trigger: { kind: "each" },
      team: false,
    });
    expect(JSON.stringify(rules)).not.toContain("when");
  });

  it("a rule change makes a new version, and a dry run shows its grants without writing", async () => {
    const rule = (await admin.get("/admin/rules/course-passed")).body;
    const changed = await admin.put("/admin/rules/course-passed", {
      ...rule.definition,
      award: { coins: 25, points: { capability: "tool-operation", amount: 10 } },
    });
    expect(changed.body.version).toBe(rule.version + 1);
    const dry = await admin.post("/admin/rules/course-passed/dry-run", {
      events: [
        { id: "s1", type: course, subject: "p1", data: { score: 81 } },
        { id: "s2", type: course, subject: "p1", data: { score: 50 } },
      ],
    });
    expect(dry.status).toBe(200);
    expect(dry.body.results[0].grants[0]).toMatchObject({
      personId: "p1",
      coins: 25,
      rule: { ruleId: "course-passed", version: rule.version + 1 },
    });
    expect(dry.body.results[1].grants).toEqual([]);
  });

  it("a rule with an unknown capability is refused with a precise message", async () => {
    const response = await admin.put("/admin/rules/bad", {
      name: { zh: "坏", en: "Bad" },
      eventType: course,
      trigger: { kind: "each" },
      award: { points: { capability: "telepathy", amount: 5 } },
    });
    expect(response.status).toBe(400);
    expect(response.body.invalidFields.map((f: { path: string }) => f.path)).toContain("body.award.points.capability");
  });
});

it("after every webhook above, all ledger invariants hold", async () => {
  expect(await ledgerProblems()).toEqual([]);
});

describe("Open Badges export", () => {
  it("lists each badge level as an OpenBadgeCredential, a revoked one with when it was revoked", async () => {
    const response = await (await as("gao-bo", "manager")).get("/people/gao-bo/badges/credentials");
    expect(response.status).toBe(200);
    const credentials = response.body.credentials;
    expect(credentials).toHaveLength(2);
    const [level1] = credentials.map((c: { credential: unknown }) => c.credential);
    expect(level1).toMatchObject({
      type: ["VerifiableCredential", "OpenBadgeCredential"],
      issuer: { name: "天马集团" },
      credentialSubject: { id: "urn:laurel:person:gao-bo", achievement: { id: "urn:laurel:badge:certification:1", type: ["Achievement"] } },
    });
    expect(level1["@context"]).toContain("https://www.w3.org/ns/credentials/v2");
    expect(level1.credentialStatus).toMatchObject({ type: "BitstringStatusListEntry", statusPurpose: "revocation" });
    expect(credentials.map((c: { revokedAt?: string }) => c.revokedAt !== undefined)).toEqual([false, true]);
  });

  it("is personal data: another department's manager gets 403", async () => {
    expect((await (await as("qian-hao", "manager")).get("/people/gao-bo/badges/credentials")).status).toBe(403);
  });
});

describe("a source's data schemas over HTTP", () => {
  it("a source whose data schema is not a JSON Schema is refused, naming the event type and the place, and nothing is saved", async () => {
    const response = await admin.put("/admin/sources/quiz-board", {
      name: "Quiz board",
      eventTypes: [{ type: "com.tianma.quiz.answered", dataSchema: { type: "object", properties: { score: { type: "numbr" } } } }],
    });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe("data-schema-invalid");
    expect(response.body.detail).toMatch(
      /^The data schema of com\.tianma\.quiz\.answered is not a JSON Schema Laurel can use: properties\.score\.type: /,
    );
    expect((await admin.get("/admin/sources/quiz-board")).status).toBe(404);
  });
});
