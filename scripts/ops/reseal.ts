/**
 * `npm run reseal`: seals every source's signing secrets, and every notification channel's URL and
 * secret, again under the current key of the key ring (a rotation of the sealing key, docs/OPERATIONS.md). Against `npm start`'s DynamoDB Local
 * and LAUREL_SECRET_KEY by default; in AWS set DYNAMODB_ENDPOINT="", STATE_TABLE and
 * SECRET_KEY_ARN. Safe to run again; prints the secrets per key id afterwards.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Source, SourceService } from "../../domain/awards/index.ts";
import { resealChannels } from "../../domain/notifications/index.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { DynamoDefinitionStore } from "../../functions/dynamo/definition-store.ts";
import { DynamoNotificationStore } from "../../functions/dynamo/stores/notification-store.ts";
import { parseSealed, SecretBox } from "../../functions/secrets/secret-box.ts";

const repoRoot = join(import.meta.dirname, "..", "..");

process.env.DYNAMODB_ENDPOINT ??= "http://127.0.0.1:8000";
// npm start keeps its key (or key ring) in .laurel/secret-key: edit it there to rotate locally.
if (!process.env.SECRET_KEY_ARN) process.env.LAUREL_SECRET_KEY ??= readFileSync(join(repoRoot, ".laurel", "secret-key"), "utf8");
const db = createDocumentClient();
const state = process.env.STATE_TABLE ?? "laurel-state";
const definitions = new DynamoDefinitionStore(db, state);
const sealer = SecretBox.fromEnv();
const sources = new SourceService({ definitions, sealer, clock: { now: () => new Date() } });
const { sources: changed, resealed } = await sources.resealAll();
console.log(`Re-sealed ${resealed} secrets of ${changed} sources under the current key.`);
const channels = await resealChannels(new DynamoNotificationStore(db, state, { channelsTtlMs: 0 }), sealer);
console.log(`Re-sealed ${channels} notification channels under the current key.`);
const byKey = new Map<string, number>();
for (const source of await definitions.list<Source>("source"))
  for (const secret of source.body.secrets)
    byKey.set(parseSealed(secret.sealed).keyId, (byKey.get(parseSealed(secret.sealed).keyId) ?? 0) + 1);
console.log(`Secrets per key id: ${[...byKey].map(([id, n]) => `${id} ${n}`).join(", ") || "none"}.`);
