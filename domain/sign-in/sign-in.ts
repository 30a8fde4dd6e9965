/**
 * Signing in with a provider that issues no OIDC tokens (DingTalk): its one-time code is exchanged
 * for the provider's user id, the directory names the person, and Laurel issues its own short-lived
 * token. A code is good once: the provider refuses a used one, and Laurel keeps the hash of every
 * code it exchanged until the code could no longer be valid, so a replay inside that window is
 * refused too. Every refusal is in the audit trail; a refusal writes nothing else.
 */
import { randomUUID } from "node:crypto";
import { type Directory, type IdentityProvider, isActive, type Person } from "../directory/index.ts";
import { sha256Hex } from "../kernel/canonical.ts";
import { DomainError, type ErrorKind } from "../kernel/errors.ts";
import type { PersonId } from "../kernel/model.ts";
import type { Clock } from "../kernel/ports.ts";
import type { CodeExchange, LaurelToken, SignInAudit, SpentCodes, TokenSigner } from "./ports.ts";

/** How long Laurel's tokens are good for: short, since the page gets a new code silently. */
export const tokenLifetimeSeconds = 15 * 60;
/** DingTalk's auth codes are good for 5 minutes; their hashes are kept a little longer. */
export const codeLifetimeSeconds = 10 * 60;

const refusals = {
  "code-refused": {
    kind: "unauthenticated",
    zh: "登录码无效或已过期，请重新打开页面。",
    en: "The sign-in code is not valid or has expired; open the page again.",
  },
  "code-reused": {
    kind: "unauthenticated",
    zh: "这个登录码已经用过，请重新打开页面。",
    en: "This sign-in code was already used; open the page again.",
  },
  "person-not-registered": {
    kind: "forbidden",
    zh: "您的账号尚未在 Laurel 登记，请联系管理员添加。",
    en: "Your account is not registered in Laurel; ask your administrator to add it.",
  },
  "person-departed": {
    kind: "forbidden",
    zh: "您已离职，不能再登录 Laurel。",
    en: "You have left the company and can no longer sign in to Laurel.",
  },
  "provider-unavailable": {
    kind: "unavailable",
    zh: "暂时无法连接登录服务，请稍后再试。",
    en: "The sign-in service cannot be reached right now; try again in a moment.",
  },
} as const satisfies Record<string, { kind: ErrorKind; zh: string; en: string }>;
export type RefusalCode = keyof typeof refusals;

/** A refused sign-in: problem details whose sentence is in Chinese and English, both also given apart. */
export class SignInRefusal extends DomainError {
  override name = "SignInRefusal";
  constructor(code: RefusalCode, options?: { cause?: unknown }) {
    const { kind, zh, en } = refusals[code];
    super(kind, code, `${zh} ${en}`, { messages: { zh, en }, ...(kind === "unavailable" ? { retryAfterSeconds: 5 } : {}) }, options);
  }
}

export interface SignInDeps {
  directory: Pick<Directory, "personByIdentity">;
  codes: SpentCodes;
  signer: TokenSigner;
  audit: SignInAudit;
  clock: Clock;
}

export class SignInService {
  readonly #deps: SignInDeps;

  constructor(deps: SignInDeps) {
    this.#deps = deps;
  }

  async withCode(provider: IdentityProvider, exchange: CodeExchange, code: string): Promise<LaurelToken> {
    let userId: string | undefined;
    let person: Person | undefined;
    try {
      userId = await exchange.userIdByCode(code);
      person = await this.#deps.directory.personByIdentity(provider, userId);
      if (!person) throw new SignInRefusal("person-not-registered");
      if (!isActive(person)) throw new SignInRefusal("person-departed");
      const now = this.#deps.clock.now();
      if (!(await this.#deps.codes.spend(sha256Hex(`${provider}:${code}`), new Date(now.getTime() + codeLifetimeSeconds * 1000)))) {
        throw new SignInRefusal("code-reused");
      }
      const expiresAt = new Date(now.getTime() + tokenLifetimeSeconds * 1000);
      const token = await this.#deps.signer.sign({ sub: person.personId, roles: person.roles ?? [], amr: [provider] }, expiresAt);
      await this.#record(provider, userId, person, "signed-in");
      return { personId: person.personId, token, expiresAt };
    } catch (error) {
      if (error instanceof DomainError) await this.#record(provider, userId, person, error.code);
      throw error;
    }
  }

  /** Ids only: the person when known, else the provider's user id, else nothing (a forged code). */
  #record(provider: IdentityProvider, userId: string | undefined, person: Person | undefined, outcome: string): Promise<void> {
    return this.#deps.audit.append({
      auditId: randomUUID(),
      at: this.#deps.clock.now().toISOString(),
      actor: (person?.personId ?? `${provider}:${userId ?? "unknown"}`) as PersonId,
      action: `sign-in:${provider}`,
      targets: person ? [person.personId] : [],
      details: { provider, ...(userId === undefined ? {} : { providerUserId: userId }) },
      outcome,
    });
  }
}
