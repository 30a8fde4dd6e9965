/**
 * The token service's settings. In AWS its secrets come from Secrets Manager (ARNs in the
 * environment, read on first use and kept per instance for a few minutes, so that a rotated key
 * reaches every instance in bounded time); locally and in tests, from the environment itself.
 * Without an issuer the stage signs people in elsewhere (Cognito, OIDC).
 */

/** How long an instance keeps a secret it read: a new signing key is published by all within it. */
export const secretCacheMs = 5 * 60 * 1000;

const cache = new Map<string, { readAt: number; value: Promise<unknown> }>();

/** The JSON of a secret: `<name>_SECRET_ARN` in AWS, else `<name>` holding the JSON. */
export function secretJson<T>(name: string, env = process.env): Promise<T | undefined> {
  const cached = cache.get(name);
  if (cached && Date.now() - cached.readAt < secretCacheMs) return cached.value as Promise<T | undefined>;
  // CloudFormation creates the secrets with a random placeholder: not JSON means not set up yet.
  const value = readSecret(name, env).then((text) => (text?.startsWith("{") ? (JSON.parse(text) as T) : undefined));
  // A failed read is not kept: the next request tries again.
  value.catch(() => cache.delete(name));
  cache.set(name, { readAt: Date.now(), value });
  return value;
}

async function readSecret(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const arn = env[`${name}_SECRET_ARN`];
  if (!arn) return env[name];
  const { GetSecretValueCommand, SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
  return (await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
}

/** The issuer of Laurel's tokens (the API's own https origin), when this stage runs the token service. */
export const tokenIssuer = (env = process.env): string | undefined => env.TOKEN_ISSUER;

/** Where DingTalk's JSAPI (dd.runtime.permission.requestAuthCode) is served from: the page loads it inside DingTalk only. */
export const dingtalkJsapiOrigin = "https://g.alicdn.com";
