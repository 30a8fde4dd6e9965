/**
 * Signs Open Badges credentials as VC-JWT, as Open Badges 3.0 §8.2 has it: the credential is the
 * JWT's claims with `iss`, `jti`, `nbf` and `sub` taken from it; the header holds only `alg`
 * (ES256), `typ: JWT` and a `kid` that is a URI of the key in the issuer's JWK Set, published at
 * `https://<the issuer's host>/.well-known/jwks.json`, where 1EdTech's recommended practice tells
 * verifiers to look.
 *
 * The keys are a key ring like the one that seals webhook secrets (functions/secrets/key-ring.ts):
 * BADGE_KEY_ARN in AWS (a secret Secrets Manager generates), LAUREL_BADGE_KEY locally. Each key's
 * random text is the seed of a P-256 private key (HKDF-SHA256, FIPS 186-5 A.2.1's reduction), so
 * Secrets Manager can generate it and rotation is the sealing key's: add a key, make it current.
 * Credentials are signed with the current key; the JWK Set lists the public half of every key
 * in the ring, so credentials signed before a rotation keep verifying until their key is dropped.
 */
import { createECDH, hkdfSync } from "node:crypto";
import { type CryptoKey, importJWK, type JWK, SignJWT } from "jose";
import type { CredentialSigner, SignableCredential } from "../../domain/awards/index.ts";
import { CachedKeyRing } from "./key-ring.ts";

const alg = "ES256";
/** The order of P-256's base point. */
const order = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

export class BadgeSigner implements CredentialSigner {
  readonly #ring: CachedKeyRing;

  constructor(source: CachedKeyRing | (() => Promise<string | undefined>)) {
    this.#ring = source instanceof CachedKeyRing ? source : new CachedKeyRing(source);
  }

  static fromEnv(env = process.env): BadgeSigner {
    return new BadgeSigner(CachedKeyRing.fromEnv("BADGE_KEY_ARN", "LAUREL_BADGE_KEY", env));
  }

  async sign(credential: SignableCredential): Promise<string> {
    const ring = await this.#ring.get();
    const key = (await importJWK(privateJwk(ring.keys.get(ring.current) as Buffer), alg)) as CryptoKey;
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
    const ring = await this.#ring.get();
    return {
      keys: [...ring.keys].map(([name, material]) => {
        const { kty, crv, x, y } = privateJwk(material);
        return { kty, crv, x, y, kid: keyUri(issuer, name), alg, use: "sig", iss: issuer } as JWK;
      }),
    };
  }
}

/** Where a key of the ring is published: its id as the fragment of the issuer's JWK Set URL. */
export const keyUri = (issuer: string, name: string) => `${new URL(issuer).origin}/.well-known/jwks.json#${name}`;

/** The P-256 key a key's material seeds: 48 bytes of HKDF reduced to 1 … n−1, without bias to speak of. */
function privateJwk(material: Buffer): JWK {
  const extra = Buffer.from(hkdfSync("sha256", material, "laurel", "badge signing key (P-256)", 48));
  const d = (BigInt(`0x${extra.toString("hex")}`) % (order - 1n)) + 1n;
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(Buffer.from(d.toString(16).padStart(64, "0"), "hex"));
  const point = ecdh.getPublicKey();
  return {
    kty: "EC",
    crv: "P-256",
    d: ecdh.getPrivateKey().toString("base64url"),
    x: point.subarray(1, 33).toString("base64url"),
    y: point.subarray(33, 65).toString("base64url"),
  };
}
