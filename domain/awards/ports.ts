/**
 * What the awards context needs from outside: sealing of webhook signing secrets
 * (functions/secrets/secret-box.ts) and the issuer's signature on badge credentials
 * (functions/secrets/badge-signer.ts).
 */

export interface SecretSealer {
  seal(plaintext: string): Promise<string>;
  open(sealed: string): Promise<string>;
  /** Whether the secret is sealed under the current key (else `npm run reseal` seals it again). */
  isCurrent(sealed: string): Promise<boolean>;
}

/** What a signature's JWT claims are taken from. */
export interface SignableCredential {
  id: string;
  issuer: string | { id: string };
  validFrom: string;
  credentialSubject: { id: string };
}

/** Signs credentials as VC-JWT with the issuer's current key; publishes every key still trusted. */
export interface CredentialSigner {
  sign(credential: SignableCredential): Promise<string>;
  /** The issuer's public keys as a JWK Set, old ones kept so that credentials signed before a rotation verify. */
  publicKeys(issuer: string): Promise<{ keys: object[] }>;
}
