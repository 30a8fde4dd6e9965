/** What the awards context needs from outside: sealing of webhook signing secrets (functions/secrets/secret-box.ts). */

export interface SecretSealer {
  seal(plaintext: string): Promise<string>;
  open(sealed: string): Promise<string>;
  /** Whether the secret is sealed under the current key (else `npm run reseal` seals it again). */
  isCurrent(sealed: string): Promise<boolean>;
}
