/**
 * `npm run token-keys -- rotate <secret ARN>`: puts a new ES256 signing key in front of the token
 * service's key ring (the `TokenSigningKeys` secret, docs/DEPLOY.md) and drops the keys whose
 * tokens have all expired. The first run, after deploying, creates the ring. The new key is
 * published at once and signs from 10 minutes later (functions/sign-in/token-keys.ts), so a
 * rotation signs nobody out. Run it again whenever keys should change (say, every 90 days).
 */
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type KeyRing, newSigningKey, rotated } from "../../functions/sign-in/token-keys.ts";

const [command, secretId] = process.argv.slice(2);
if (command !== "rotate" || !secretId) {
  console.error("usage: npm run token-keys -- rotate <the TokenSigningKeys secret's ARN>");
  process.exit(2);
}
const client = new SecretsManagerClient({});
const current = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString ?? "";
// CloudFormation creates the secret with a random placeholder, which is no ring yet.
const ring: KeyRing = current.startsWith("{") ? (JSON.parse(current) as KeyRing) : { keys: [] };
const now = new Date();
const next = rotated(ring, await newSigningKey(now), now);
await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(next) }));
console.log(`Key ring: ${next.keys.map((key) => key.kid).join(", ")} (newest first; ${ring.keys.length + 1 - next.keys.length} dropped).`);
