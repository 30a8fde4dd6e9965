/**
 * Signs Open Badges credentials as VC-JWT, as Open Badges 3.0 §8.2 has it: the credential is the
 * JWT's claims with `iss`, `jti`, `nbf` and `sub` taken from it; the header holds only `alg`
 * (ES256), `typ: JWT` and a `kid` that is a URI of the key in the issuer's JWK Set, published at
 * `https://<the issuer's host>/.well-known/jwks.json`, the place 1EdTech's recommended practice
 * tells verifiers to look. The issuer's keys come from Secrets Manager in AWS (BADGE_KEY_ARN,
 * read once and cached for five minutes) or, locally and in tests, from LAUREL_BADGE_KEY, as a key
 * ring `{"current":"b2","keys":{"b1":<private JWK>,"b2":<private JWK>}}`. New credentials are
 * signed with the current key; the JWK Set publishes the public half of every key in the ring, so
 * credentials signed before a rotation still verify. Rotation (docs/OPERATIONS.md): add a key made
 * by `npm run badge-key`, make it current, and drop an old key only to disown what it signed.
 */
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";
import type { CredentialSigner, SignableCredential } from "../../domain/awards/index.ts";

const cacheMs = 5 * 60_000;
const alg = "ES256";

interface Ring {
  current: string;
  keys: Record<string, JWK>;
}

export class BadgeSigner implements CredentialSigner {
  #ring: { value: Promise<Ring>; expires: number } | undefined;
  readonly #load: () => Promise<string | undefined>;

  constructor(load: () => Promise<string | undefined>) {
    this.#load = load;
  }

  static fromEnv(env = process.env): BadgeSigner {
    const arn = env.BADGE_KEY_ARN;
    if (arn) {
      return new BadgeSigner(async () => {
        const { GetSecretValueCommand, SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
        return (await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
      });
    }
    return new BadgeSigner(async () => env.LAUREL_BADGE_KEY);
  }

  async sign(credential: SignableCredential): Promise<string> {
    const ring = await this.#keyRing();
    const key = (await importJWK(ring.keys[ring.current] as JWK, alg)) as CryptoKey;
    const issuer = typeof credential.issuer === "string" ? credential.issuer : credential.issuer.id;
    return new SignJWT(credential as unknown as Record<string, unknown>)
      .setProtectedHeader({ alg, kid: keyUri(issuer, ring.current), typ: "JWT" })
      .setIssuer(issuer)
      .setJti(credential.id)
      .setSubject(credential.credentialSubject.id)
      .setNotBefore(new Date(credential.validFrom))
      .setIssuedAt()
      .sign(key);
  }

  async publicKeys(issuer: string): Promise<{ keys: JWK[] }> {
    const ring = await this.#keyRing();
    return {
      keys: Object.entries(ring.keys).map(
        ([name, { kty, crv, x, y }]) => ({ kty, crv, x, y, kid: keyUri(issuer, name), alg, use: "sig", iss: issuer }) as JWK,
      ),
    };
  }

  #keyRing(): Promise<Ring> {
    if (!this.#ring || this.#ring.expires < Date.now()) {
      const value = this.#load().then(parseRing);
      value.catch(() => {
        this.#ring = undefined;
      });
      this.#ring = { value, expires: Date.now() + cacheMs };
    }
    return this.#ring.value;
  }
}

/** Where a key of the ring is published: its name as the fragment of the issuer's JWK Set URL. */
export const keyUri = (issuer: string, name: string) => `${jwksUrl(issuer)}#${name}`;
export const jwksUrl = (issuer: string) => `${new URL(issuer).origin}/.well-known/jwks.json`;

function parseRing(text: string | undefined): Ring {
  if (!text) throw new Error("no badge signing key: set BADGE_KEY_ARN or LAUREL_BADGE_KEY");
  const ring = JSON.parse(text) as Ring;
  const current = ring.keys?.[ring.current];
  if (!current?.d || current.crv !== "P-256")
    throw new Error(`the badge key ring's current key ${ring.current} is not a private P-256 JWK`);
  return ring;
}

/** A new ES256 key as the ring's entry, for `npm run badge-key`, the local server and the tests. */
export async function newBadgeKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return exportJWK(privateKey);
}

/** A key ring of one new key, named `kid`. */
export const newBadgeKeyRing = async (kid = "b1"): Promise<string> =>
  JSON.stringify({ current: kid, keys: { [kid]: await newBadgeKey() } });
