/** What signing in needs from outside: the provider, the spent codes, the token signer, the audit trail. */
import type { AuditRecord } from "../kernel/audit.ts";

/** A provider that vouches for a user with a one-time code (DingTalk's 免登 auth code). */
export interface CodeExchange {
  /**
   * The provider's user id for the code. Throws a SignInRefusal (`code-refused`) when the provider
   * says the code is unknown, expired or used, and `provider-unavailable` when it cannot be asked.
   */
  userIdByCode(code: string): Promise<string>;
}

/** Codes already exchanged, kept while a code could still be valid anywhere. */
export interface SpentCodes {
  /** Records the code's hash until `expiresAt`; false when it was recorded before (a replay). */
  spend(codeHash: string, expiresAt: Date): Promise<boolean>;
}

export interface LaurelToken {
  personId: string;
  token: string;
  expiresAt: Date;
}

/** Signs Laurel's own tokens (ES256) with the newest key of the ring. */
export interface TokenSigner {
  sign(claims: { sub: string; roles: readonly string[]; amr: readonly string[] }, expiresAt: Date): Promise<string>;
}

export interface SignInAudit {
  append(record: AuditRecord): Promise<void>;
}
