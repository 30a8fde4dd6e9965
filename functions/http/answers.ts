/**
 * The shapes of the API's answers, in zod like its requests: the OpenAPI document declares them
 * (functions/http/openapi.ts), the page takes its types from them (web/src/api.ts, type-only
 * imports) and test/infra/contract.test.ts checks every answer the test suite receives against
 * the document. Objects are strict: a field the code adds or drops without saying so here fails
 * that test. Here are the shapes more than one function answers; those of one function's routes
 * are in answers/<area>.ts, so that no function's bundle builds another's.
 */
import { SourceInput } from "../../domain/awards/index.ts";
import { capabilities, tiers } from "../../domain/kernel/model.ts";
import * as z from "../../domain/kernel/zod/index.ts";
import { problemCodes } from "./problems.ts";

export const Instant = z.string().register(z.globalRegistry, { format: "date-time" });
export const Day = z.string().register(z.globalRegistry, { format: "date" });
export const Count = z.number().check(z.int(), z.gte(0));
export const Signed = z.number().check(z.int());
export const Capability = z.enum(capabilities as [string, ...string[]]);
/** A name as definitions hold it: Chinese always, English where the admin gave it. */
const Names = z.strictObject({ zh: z.string(), en: z.optional(z.string()) });
export const Localized = z.strictObject({ zh: z.string(), en: z.string() }).register(z.globalRegistry, { id: "Localized" });
export const Cursor = z.nullable(z.string());

const Actor = z.union([
  z.strictObject({ kind: z.literal("person"), personId: z.string() }),
  z.strictObject({ kind: z.literal("source"), sourceId: z.string(), eventId: z.string() }),
]);
const RuleTrigger = z.union([
  z.strictObject({ kind: z.enum(["each", "first"]) }),
  z.strictObject({ kind: z.literal("count"), times: Count }),
  z.strictObject({ kind: z.literal("streak"), length: Count, period: z.enum(["day", "week", "month"]) }),
]);
export const Cause = z.union([
  z.strictObject({
    code: z.literal("rule"),
    params: z.strictObject({ ruleId: z.string(), rule: Names, trigger: RuleTrigger, teamSize: z.optional(Count) }),
  }),
  z.strictObject({
    code: z.literal("badge"),
    params: z.strictObject({ badgeId: z.string(), level: Count, badge: Names, levelName: Names }),
  }),
  z.strictObject({
    code: z.enum(["redemption", "redemption-cancelled"]),
    params: z.strictObject({ rewardId: z.string(), reward: Names, quantity: Count }),
  }),
  z.strictObject({
    code: z.enum(["fund-claim", "fund-payout", "fund-void", "fund-clawback"]),
    params: z.strictObject({ claimId: z.string(), scenario: z.string() }),
  }),
  z.strictObject({ code: z.literal("retraction"), params: z.strictObject({ sourceId: z.string(), eventId: z.string() }) }),
]);
const EntryRef = z.union([
  z.strictObject({ claimId: z.string() }),
  z.strictObject({ rewardId: z.string(), rewardVersion: Count, quantity: Count, periodKey: z.string() }),
  z.strictObject({ bountyId: z.string(), teamId: z.string(), authors: z.array(z.string()) }),
  z.strictObject({ importedFrom: z.strictObject({ system: z.string(), recordId: z.string(), importId: z.string() }) }),
]);

export const LedgerEntry = z
  .strictObject({
    entryId: z.string(),
    holder: z.string(),
    seq: z.number().check(z.int(), z.gte(1)),
    kind: z.enum(["award", "deduction", "reversal", "deposit", "reservation", "payout", "void", "redemption"]),
    asset: z.string().register(z.globalRegistry, { description: "coin, point:<capability>, badge:<badgeId>:<level> or money:<currency>" }),
    amount: z.number().check(z.int(), z.positive()),
    from: z.string(),
    to: z.string(),
    reason: z.string(),
    cause: z.optional(Cause),
    /** The cause said in both languages; entries written before causes existed have none. */
    explained: z.optional(Localized),
    actor: Actor,
    rule: z.optional(z.strictObject({ ruleId: z.string(), version: Count })),
    occurredAt: Instant,
    recordedAt: Instant,
    reverses: z.optional(z.string()),
    grantedWith: z.optional(z.string()),
    category: z.optional(z.string()),
    mirrorOf: z.optional(z.string()),
    settles: z.optional(z.string()),
    ref: z.optional(EntryRef),
    prevHash: z.string(),
    hash: z.string(),
    /** A redemption's reward handed over, when it was (in a person's history). */
    collected: z.optional(z.strictObject({ collectedAt: Instant, collectedBy: z.string() })),
  })
  .register(z.globalRegistry, { id: "LedgerEntry" });
export type LedgerEntry = z.infer<typeof LedgerEntry>;

export const Balances = z
  .strictObject({
    personId: z.string(),
    name: z.string(),
    tier: z.enum(tiers),
    orgUnitId: z.string(),
    coins: Count,
    points: z.strictObject({ total: Count, byCapability: z.record(Capability, Signed) }),
    badges: z.array(z.strictObject({ badgeId: z.string(), levels: z.array(Count) })),
    /** The sequence number of the last entry folded in: balances are exactly as of that entry. */
    asOfSeq: Count,
  })
  .register(z.globalRegistry, { id: "Balances" });
export type Balances = z.infer<typeof Balances>;

/** What a write to a person's ledger answers: the entries written and the balances after them. */
export const LedgerWrite = z
  .strictObject({ entries: z.array(LedgerEntry), balances: Balances })
  .register(z.globalRegistry, { id: "LedgerWrite" });

/** An award held for a review or an approval (docs/INTEGRITY.md): on its review item, its budget's list and the person's history. */
export const heldAwardAnswer = z
  .object({
    personId: z.string(),
    sourceId: z.string(),
    eventId: z.string(),
    type: z.string(),
    time: z.string(),
    heldAt: z.string(),
    reviews: z.array(z.string()),
    budget: z.optional(z.object({ orgUnitId: z.string(), period: z.string() })),
    status: z.enum(["held", "posted", "rejected"]),
    settled: z.optional(z.object({ by: z.string(), at: z.string(), reason: z.string() })),
    /** A team event's award to a member: their share, kept, of the members named. */
    share: z.optional(z.object({ members: z.array(z.string()) })),
  })
  .register(z.globalRegistry, { id: "HeldAward" });

/** One entry read by its id: its chain position, and whether it was reversed since. */
export const LedgerEntryRead = z
  .extend(LedgerEntry, {
    reversedBy: z.optional(z.string()),
    /** The holder's chain's length now (a person's chain): the entry is number `seq` of it. */
    chainLength: z.optional(Count),
  })
  .register(z.globalRegistry, { id: "LedgerEntryRead" });

export const LedgerPage = z
  .strictObject({
    entries: z.array(LedgerEntry),
    cursor: Cursor,
    /** On the first page: awards waiting for a review or an approval (待审核), or rejected on one. */
    held: z.optional(z.array(heldAwardAnswer)),
  })
  .register(z.globalRegistry, { id: "LedgerPage" });

export const Health = z.strictObject({ status: z.literal("ok") });
/** The OpenAPI document itself (validated as OpenAPI 3.1 by test/infra/contract.test.ts). */
export const OpenApiDocument = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) });

/** A JSON Web Key Set (RFC 7517): public keys only. */
export const JwkSet = z
  .strictObject({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string(), alg: z.optional(z.string()) })) })
  .register(z.globalRegistry, { id: "JwkSet" });

// ---- Versioned definitions ----

/** A definition's current version: who changed it last, and who approved it under four eyes. */
export const definitionView = <T extends z.ZodMiniType>(definition: T) =>
  z.strictObject({
    id: z.string(),
    version: z.number().check(z.int(), z.gte(1)),
    updatedAt: Instant,
    updatedBy: z.string(),
    approvedBy: z.optional(z.string()),
    definition,
  });

/** A change waiting for a second admin: it becomes version basedOn + 1 when approved. */
export const proposalView = <T extends z.ZodMiniType>(definition: T) =>
  z.strictObject({
    id: z.string(),
    proposal: z.number().check(z.int(), z.gte(1)),
    basedOn: Count,
    proposedAt: Instant,
    proposedBy: z.string(),
    definition,
  });

/**
 * A definition as an admin reads it: the current version (with what the kind shows `beside` it: a
 * reward's stock, a source's secrets) and the change waiting for approval, if any; a definition
 * only proposed so far is version 0 with its proposal.
 */
export const definitionRead = <T extends z.ZodMiniType, B extends z.core.$ZodLooseShape = Record<never, never>>(
  definition: T,
  beside?: B,
) =>
  z.union([
    z.extend(z.extend(definitionView(definition), beside ?? ({} as B)), { pending: z.optional(proposalView(definition)) }),
    z.strictObject({ id: z.string(), version: z.literal(0), pending: proposalView(definition) }),
  ]);

/** 202: the change waits for a second admin. */
export const pendingChange = <T extends z.ZodMiniType>(definition: T) =>
  z.extend(proposalView(definition), { status: z.literal("pending") });

// ---- Webhooks ----

const AwardView = z.strictObject({
  personId: z.string(),
  /** None in a dry run: nothing was written. */
  entryId: z.optional(z.string()),
  asset: z.string(),
  amount: z.number().check(z.int(), z.positive()),
  kind: z.enum(["award", "reversal"]),
  ruleId: z.optional(z.string()),
  ruleVersion: z.optional(Count),
  reason: z.string(),
});
export const EventProblem = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().check(z.int()),
  code: z.enum(problemCodes),
  detail: z.string(),
});
export const EventResult = z
  .union([
    z.strictObject({
      id: z.string(),
      status: z.literal("accepted"),
      awards: z.array(AwardView),
      notes: z.optional(z.array(z.string())),
      /** A team event's members an open review holds: their shares are kept (held awards), the others' posted. */
      held: z.optional(z.array(z.strictObject({ personId: z.string(), reviews: z.array(z.string()) }))),
      dryRun: z.optional(z.literal(true)),
    }),
    z.strictObject({ id: z.string(), status: z.literal("duplicate"), awards: z.array(AwardView) }),
    z.strictObject({ id: z.nullable(z.string()), status: z.literal("rejected"), problem: EventProblem }),
    z.strictObject({
      id: z.string(),
      status: z.literal("held"),
      reviews: z.array(z.string()),
      budget: z.optional(z.object({ orgUnitId: z.string(), period: z.string() })),
      detail: z.string(),
      dryRun: z.optional(z.literal(true)),
    }),
  ])
  .register(z.globalRegistry, { id: "EventResult" });
export const WebhookAnswer = z.strictObject({ results: z.array(EventResult) }).register(z.globalRegistry, { id: "WebhookAnswer" });

// ---- Sources, rules and badges ----

const SourceSecret = z.strictObject({
  secretId: z.string(),
  createdAt: Instant,
  createdBy: z.optional(z.string()),
  expiresAt: z.optional(Instant),
});
/** Beside a source's definition: its signing secrets, never their values. */
export const sourceSecrets = { secrets: z.array(SourceSecret) };
export const SourceView = z.extend(definitionView(SourceInput), sourceSecrets).register(z.globalRegistry, { id: "SourceView" });
/** A source's signing secret is shown once: when the source is created or the secret rotated. */
export const SourceWithSecret = z
  .extend(SourceView, { secret: z.optional(z.string()) })
  .register(z.globalRegistry, { id: "SourceWithSecret" });

/** The CSV of a report asked for with Accept: text/csv (UTF-8, a header row, cells safe in Excel). */
export const csv = { "text/csv": { schema: { type: "string", contentMediaType: "text/csv" } } };
