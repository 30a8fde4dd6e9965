/** Rotating the key that seals webhook signing secrets, with no downtime (docs/OPERATIONS.md). */
import { createCipheriv, createHash, randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type Source, SourceService } from "../../domain/awards/index.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { DynamoDefinitionStore } from "../../functions/dynamo/definition-store.ts";
import { keyRingFrom } from "../../functions/secrets/key-ring.ts";
import { parseSealed, SecretBox } from "../../functions/secrets/secret-box.ts";
import { tableNames } from "../support/env.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";

const { secrets } = await withDemoDefinitions();
const [sourceId, secret] = Object.entries(secrets)[0] as [string, string];
const definitions = new DynamoDefinitionStore(createDocumentClient(), tableNames.state);
const send = () =>
  deliver(sourceId, cloudEvent("com.tianma.learning.course.completed", "yang-xue", { courseId: "ai-101", score: 90 }), { secret });
const keyIds = async () =>
  (await definitions.list<Source>("source")).flatMap((s) => s.body.secrets.map((x) => parseSealed(x.sealed).keyId));
const reseal = () => new SourceService({ definitions, sealer: SecretBox.fromEnv(), clock: { now: () => new Date() } }).resealAll();

describe("the sealing key", () => {
  it("rotates: a new current key, a reseal, the old key dropped, and webhooks verify throughout", async () => {
    const old = process.env.LAUREL_SECRET_KEY as string;
    expect(new Set(await keyIds())).toEqual(new Set(["k0"]));
    expect((await send()).body.results[0].status).toBe("accepted");

    const fresh = randomUUID() + randomUUID();
    process.env.LAUREL_SECRET_KEY = JSON.stringify({ current: "k1", keys: { k0: old, k1: fresh } });
    const before = (await definitions.list<Source>("source")).map((s) => [s.id, s.version, s.updatedBy]);
    const first = await reseal();
    expect(first.resealed).toBe((await keyIds()).length);
    expect(new Set(await keyIds())).toEqual(new Set(["k1"]));
    // Same author, one version more: only the sealed form changed.
    expect((await definitions.list<Source>("source")).map((s) => [s.id, s.version - 1, s.updatedBy])).toEqual(before);
    // The webhook function still holds the old ring in its cache: a k1 secret makes it read the ring again.
    expect((await send()).body.results[0].status).toBe("accepted");
    expect(await reseal()).toEqual({ sources: 0, resealed: 0 });

    process.env.LAUREL_SECRET_KEY = JSON.stringify({ current: "k1", keys: { k1: fresh } });
    const box = SecretBox.fromEnv();
    for (const source of await definitions.list<Source>("source"))
      for (const stored of source.body.secrets) expect((await box.open(stored.sealed)).length).toBeGreaterThan(20);
    expect((await send()).body.results[0].status).toBe("accepted");
  });

  it("opens the first form (v1, no key id) as key k0, and names a key the ring lacks", async () => {
    const key = "a-plain-key-of-at-least-32-characters!";
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", createHash("sha256").update(key).digest(), iv);
    const data = Buffer.concat([cipher.update("whsec_legacy", "utf8"), cipher.final()]);
    const v1 = `v1.${iv.toString("base64url")}.${data.toString("base64url")}.${cipher.getAuthTag().toString("base64url")}`;
    expect(await new SecretBox(async () => key).open(v1)).toBe("whsec_legacy");
    const ring = JSON.stringify({ current: "k2", keys: { k2: `${key}-two` } });
    await expect(new SecretBox(async () => ring).open(v1)).rejects.toThrow("sealed under key k0, which the key ring does not hold");
    expect(() => keyRingFrom(JSON.stringify({ current: "k9", keys: { k1: key } }))).toThrow(/the current one among them/);
    expect(() => keyRingFrom("short")).toThrow(/at least 32 characters/);
  });
});
