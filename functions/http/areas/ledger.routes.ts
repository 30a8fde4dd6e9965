/**
 * Routes of the ledger function: awards, deductions and reversals by hand, a person's balances,
 * ledger and badge credentials; and the issuer's public face for verifiable badges (no token):
 * who signs, with which keys, and which credentials are revoked. Verifiers outside the company
 * fetch these URLs, named in every credential (docs/INTEGRATION.md).
 */
import { AwardRequest, DeductionRequest, LedgerPageQuery, ReversalRequest } from "../../../domain/accounts/index.ts";
import { Id } from "../../../domain/kernel/schemas.ts";
import * as z from "../../../domain/kernel/zod/index.ts";
import { BadgeCredentials, IssuerProfile, SignedInPerson, vcJwt } from "../answers/ledger.ts";
import { Balances, JwkSet, LedgerEntryRead, LedgerPage, LedgerWrite } from "../answers.ts";
import { defineRoute } from "../route.ts";

const PersonParams = z.strictObject({ personId: Id });

export const ledgerRoutes = {
  award: defineRoute({
    method: "POST",
    path: "/awards",
    area: "ledger",
    auth: "token",
    problems: [
      "badge-level-already-held",
      "badge-level-unknown",
      "badge-unknown",
      "budget-exhausted",
      "forbidden",
      "person-inactive",
      "person-not-found",
      "person-under-review",
      "self-award",
    ],
    summary:
      "Award coins, points (with a capability) or a badge level to a person (admin). Refused (409 person-under-review, naming the reviews) while an open review item holds the person.",
    body: AwardRequest,
    idempotencyKey: true,
    success: { status: 201, description: "The entries written and the person's balances after them.", schema: LedgerWrite },
  }),
  deduct: defineRoute({
    method: "POST",
    path: "/deductions",
    area: "ledger",
    auth: "token",
    problems: ["insufficient-balance", "person-inactive", "self-deduction"],
    summary: "A penalty taking coins or points from a person, never below zero (admin).",
    body: DeductionRequest,
    idempotencyKey: true,
    success: { status: 201, description: "The entries written and the person's balances after them.", schema: LedgerWrite },
  }),
  reverse: defineRoute({
    method: "POST",
    path: "/ledger/{entryId}/reversal",
    area: "ledger",
    auth: "token",
    problems: [
      "already-reversed",
      "entry-corrected-elsewhere",
      "insufficient-balance",
      "ledger-entry-not-found",
      "reversal-not-reversible",
      "self-reversal",
    ],
    summary: "Reverse an entry with a reason; an entry is reversed at most once (admin).",
    params: z.strictObject({ entryId: z.string().check(z.maxLength(100)) }),
    body: ReversalRequest,
    idempotencyKey: true,
    success: { status: 201, description: "The reversal entry and the person's balances after it.", schema: LedgerWrite },
  }),
  whoAmI: defineRoute({
    method: "GET",
    path: "/me",
    area: "ledger",
    auth: "token",
    summary: "Who the bearer token signs in: the person, the roles the API grants them, and their name and unit.",
    success: { status: 200, description: "The signed-in person.", schema: SignedInPerson },
  }),
  balances: defineRoute({
    method: "GET",
    path: "/people/{personId}/balances",
    area: "ledger",
    auth: "token",
    problems: ["forbidden"],
    summary: "A person's coins, points (total and per capability) and badges.",
    params: PersonParams,
    success: { status: 200, description: "The person's balances.", schema: Balances },
  }),
  ledger: defineRoute({
    method: "GET",
    path: "/people/{personId}/ledger",
    area: "ledger",
    auth: "token",
    problems: ["forbidden", "invalid-cursor", "person-not-found"],
    summary: "A person's ledger entries, newest first, a page at a time.",
    params: PersonParams,
    query: LedgerPageQuery,
    success: { status: 200, description: "A page of entries and the cursor of the next page, if any.", schema: LedgerPage },
  }),
  entry: defineRoute({
    method: "GET",
    path: "/ledger/entries/{entryId}",
    area: "ledger",
    auth: "token",
    problems: ["forbidden", "ledger-entry-not-found", "person-not-found"],
    summary:
      "One ledger entry by its id (review evidence names entries by id): holder, asset, amount, reason and its cause, times, the event or person that made it, its place in the holder's hash chain, and its reversal if any. Admins, approvers and finance read any entry; a manager their own and their team's (403 otherwise, 404 for an unknown entry in a chain they may read).",
    params: z.strictObject({ entryId: z.string().check(z.maxLength(100)) }),
    success: { status: 200, description: "The entry, with its cause said in zh and en.", schema: LedgerEntryRead },
  }),
  badgeCredentials: defineRoute({
    method: "GET",
    path: "/people/{personId}/badges/credentials",
    area: "ledger",
    auth: "token",
    problems: ["forbidden"],
    summary:
      "A person's badge levels as Open Badges 3.0 credentials, each as JSON-LD and signed as VC-JWT; a revoked level has revokedAt, and its bit set in the status list it names.",
    params: PersonParams,
    success: { status: 200, description: "The credentials.", schema: BadgeCredentials },
  }),
  badgeIssuer: defineRoute({
    method: "GET",
    path: "/badges/issuer",
    area: "ledger",
    auth: "public",
    summary: "The Open Badges 3.0 profile of the issuer that signs the company's badge credentials.",
    success: { status: 200, description: "The issuer's profile (JSON-LD).", schema: IssuerProfile },
  }),
  badgeIssuerKeys: defineRoute({
    method: "GET",
    path: "/.well-known/jwks.json",
    area: "ledger",
    auth: "public",
    summary: "The issuer's public keys (ES256), a JWK Set: the current key and those still trusted after a rotation.",
    success: { status: 200, description: "The JWK Set.", schema: JwkSet, mediaType: "application/jwk-set+json" },
  }),
  badgeStatusList: defineRoute({
    method: "GET",
    path: "/badges/status/{personId}",
    area: "ledger",
    auth: "public",
    summary: "A person's Bitstring Status List: bit n is set when their credential with statusListIndex n is revoked.",
    params: PersonParams,
    success: { status: 200, description: "A BitstringStatusListCredential signed as VC-JWT.", alternatives: vcJwt },
  }),
} as const;
