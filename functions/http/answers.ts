/**
 * The shapes of the API's answers, in zod like its requests: the OpenAPI document declares them
 * (functions/http/openapi.ts), the page takes its types from them (web/src/api.ts, type-only
 * imports) and test/infra/contract.test.ts checks every answer the test suite receives against
 * the document. Objects are strict: a field the code adds or drops without saying so here fails
 * that test.
 */
import * as z from "zod";
import { BadgeDefinition, RuleDefinition, SourceInput } from "../../domain/awards/index.ts";
import { identityProviders } from "../../domain/directory/index.ts";
import { RewardDefinition } from "../../domain/fund/index.ts";
import { GateCriterion, GateDefinition } from "../../domain/gates/index.ts";
import { capabilities, roles, tiers } from "../../domain/kernel/model.ts";
import { IndexDefinition } from "../../domain/leaderboards/index.ts";
import { channelKinds, noticeKinds } from "../../domain/notifications/index.ts";
import { heldAwardAnswer } from "./areas/integrity.routes.ts";
import { problemCodes } from "./problems.ts";

const Instant = z.string().meta({ format: "date-time" });
const Day = z.string().meta({ format: "date" });
const Count = z.number().int().min(0);
const Signed = z.number().int();
const Capability = z.enum(capabilities as [string, ...string[]]);
/** A name as definitions hold it: Chinese always, English where the admin gave it. */
const Names = z.strictObject({ zh: z.string(), en: z.string().optional() });
export const Localized = z.strictObject({ zh: z.string(), en: z.string() }).meta({ id: "Localized" });
const Cursor = z.string().nullable();

const Actor = z.union([
  z.strictObject({ kind: z.literal("person"), personId: z.string() }),
  z.strictObject({ kind: z.literal("source"), sourceId: z.string(), eventId: z.string() }),
]);
const RuleTrigger = z.union([
  z.strictObject({ kind: z.enum(["each", "first"]) }),
  z.strictObject({ kind: z.literal("count"), times: Count }),
  z.strictObject({ kind: z.literal("streak"), length: Count, period: z.enum(["day", "week", "month"]) }),
]);
const Cause = z.union([
  z.strictObject({
    code: z.literal("rule"),
    params: z.strictObject({ ruleId: z.string(), rule: Names, trigger: RuleTrigger, teamSize: Count.optional() }),
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
    seq: z.number().int().min(1),
    kind: z.enum(["award", "deduction", "reversal", "deposit", "reservation", "payout", "void", "redemption"]),
    asset: z.string().meta({ description: "coin, point:<capability>, badge:<badgeId>:<level> or money:<currency>" }),
    amount: z.number().int().positive(),
    from: z.string(),
    to: z.string(),
    reason: z.string(),
    cause: Cause.optional(),
    /** The cause said in both languages; entries written before causes existed have none. */
    explained: Localized.optional(),
    actor: Actor,
    rule: z.strictObject({ ruleId: z.string(), version: Count }).optional(),
    occurredAt: Instant,
    recordedAt: Instant,
    reverses: z.string().optional(),
    grantedWith: z.string().optional(),
    category: z.string().optional(),
    mirrorOf: z.string().optional(),
    settles: z.string().optional(),
    ref: EntryRef.optional(),
    prevHash: z.string(),
    hash: z.string(),
    /** A redemption's reward handed over, when it was (in a person's history). */
    collected: z.strictObject({ collectedAt: Instant, collectedBy: z.string() }).optional(),
  })
  .meta({ id: "LedgerEntry" });
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
  .meta({ id: "Balances" });
export type Balances = z.infer<typeof Balances>;

/** What a write to a person's ledger answers: the entries written and the balances after them. */
export const LedgerWrite = z.strictObject({ entries: z.array(LedgerEntry), balances: Balances }).meta({ id: "LedgerWrite" });

export const LedgerPage = z
  .strictObject({
    entries: z.array(LedgerEntry),
    cursor: Cursor,
    /** On the first page: awards waiting for a review (待审核), or rejected on one. */
    held: z.array(heldAwardAnswer).optional(),
  })
  .meta({ id: "LedgerPage" });

/** An Open Badges 3.0 achievement credential (JSON-LD); its inner shape is the standard's. */
export const BadgeCredential = z
  .looseObject({
    "@context": z.array(z.string()),
    id: z.string(),
    type: z.array(z.string()),
    issuer: z.looseObject({ id: z.string() }),
    validFrom: Instant,
    credentialSubject: z.looseObject({ achievement: z.looseObject({ id: z.string() }) }),
    credentialStatus: z.looseObject({
      type: z.literal("BitstringStatusListEntry"),
      statusPurpose: z.literal("revocation"),
      statusListIndex: z.string(),
      statusListCredential: z.string(),
    }),
  })
  .meta({ id: "BadgeCredential" });
/** The credential as JSON-LD, the same signed as VC-JWT, and when its level was revoked. */
const SignedCredential = z.strictObject({ credential: BadgeCredential, jwt: z.string(), revokedAt: Instant.optional() });
export type Credential = z.infer<typeof SignedCredential>;
export const BadgeCredentials = z.strictObject({ credentials: z.array(SignedCredential) });

/** The Open Badges 3.0 profile of the issuer (JSON-LD). */
export const IssuerProfile = z.strictObject({
  "@context": z.array(z.string()),
  id: z.string(),
  type: z.array(z.string()),
  name: z.string(),
  url: z.string(),
});
/** A Bitstring Status List credential is answered signed, as VC-JWT. */
export const vcJwt = { "application/vc+jwt": { schema: { type: "string", contentMediaType: "application/vc+jwt" } } };

export const Health = z.strictObject({ status: z.literal("ok") });
/** The OpenAPI document itself (validated as OpenAPI 3.1 by test/infra/contract.test.ts). */
export const OpenApiDocument = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) });

// ---- The directory ----

export const OrgUnit = z
  .strictObject({
    orgUnitId: z.string(),
    name: z.string(),
    kind: z.enum(["group", "subsidiary", "department", "team"]),
    parentId: z.string().optional(),
    leadId: z.string().optional(),
  })
  .meta({ id: "OrgUnit" });
export type OrgUnit = z.infer<typeof OrgUnit>;

export const Person = z
  .strictObject({
    personId: z.string(),
    name: z.string(),
    tier: z.enum(tiers),
    tierSince: Day,
    orgUnitId: z.string(),
    managerId: z.string().optional(),
    externalId: z.string().optional(),
    identities: z.partialRecord(z.enum(identityProviders), z.string()).optional(),
    roles: z.array(z.enum(roles)).optional(),
    /** When the person left: their wallet is frozen, their history kept. */
    leftAt: Instant.optional(),
    version: Count.optional(),
    updatedAt: Instant.optional(),
  })
  .meta({ id: "Person" });

export const OrgUnits = z.strictObject({ orgUnits: z.array(OrgUnit) });
export const People = z.strictObject({ people: z.array(Person) });

/** A provisioning client's new bearer credential: the token is shown this once. */
export const ProvisionerCredential = z.strictObject({ clientId: z.string(), credentialId: z.string(), token: z.string() });

/** DingTalk's encrypted "success", signed as DingTalk's callback protocol asks. */
export const DingTalkCallbackAnswer = z.strictObject({
  msg_signature: z.string(),
  timeStamp: z.string(),
  nonce: z.string(),
  encrypt: z.string(),
});

/** A JSON Web Key Set (RFC 7517): public keys only. */
export const JwkSet = z
  .strictObject({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string(), alg: z.string().optional() })) })
  .meta({ id: "JwkSet" });

// ---- Versioned definitions ----

/** A definition's current version: who changed it last, and who approved it under four eyes. */
export const definitionView = <T extends z.ZodType>(definition: T) =>
  z.strictObject({
    id: z.string(),
    version: z.number().int().min(1),
    updatedAt: Instant,
    updatedBy: z.string(),
    approvedBy: z.string().optional(),
    definition,
  });

/** A change waiting for a second admin: it becomes version basedOn + 1 when approved. */
export const proposalView = <T extends z.ZodType>(definition: T) =>
  z.strictObject({
    id: z.string(),
    proposal: z.number().int().min(1),
    basedOn: Count,
    proposedAt: Instant,
    proposedBy: z.string(),
    definition,
  });

/** A definition as an admin reads it: the current version and the change waiting for approval, if any. */
export const definitionRead = <T extends z.ZodType>(definition: T) =>
  z.union([
    definitionView(definition).extend({ pending: proposalView(definition).optional() }),
    z.strictObject({ id: z.string(), version: z.literal(0), pending: proposalView(definition) }),
  ]);

/** 202: the change waits for a second admin. */
export const pendingChange = <T extends z.ZodType>(definition: T, extra: z.ZodRawShape = {}) =>
  proposalView(definition).extend({ status: z.literal("pending"), ...extra });

// ---- Webhooks ----

const AwardView = z.strictObject({
  personId: z.string(),
  /** None in a dry run: nothing was written. */
  entryId: z.string().optional(),
  asset: z.string(),
  amount: z.number().int().positive(),
  kind: z.enum(["award", "reversal"]),
  ruleId: z.string().optional(),
  ruleVersion: Count.optional(),
  reason: z.string(),
});
export const EventProblem = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.enum(problemCodes),
  detail: z.string(),
});
export const EventResult = z
  .union([
    z.strictObject({
      id: z.string(),
      status: z.literal("accepted"),
      awards: z.array(AwardView),
      notes: z.array(z.string()).optional(),
      dryRun: z.literal(true).optional(),
    }),
    z.strictObject({ id: z.string(), status: z.literal("duplicate"), awards: z.array(AwardView) }),
    z.strictObject({ id: z.string().nullable(), status: z.literal("rejected"), problem: EventProblem }),
    z.strictObject({
      id: z.string(),
      status: z.literal("held"),
      reviews: z.array(z.string()),
      budget: z.object({ orgUnitId: z.string(), period: z.string() }).optional(),
      detail: z.string(),
      dryRun: z.literal(true).optional(),
    }),
  ])
  .meta({ id: "EventResult" });
export const WebhookAnswer = z.strictObject({ results: z.array(EventResult) }).meta({ id: "WebhookAnswer" });

// ---- Sources, rules and badges ----

const SourceSecret = z.strictObject({
  secretId: z.string(),
  createdAt: Instant,
  createdBy: z.string().optional(),
  expiresAt: Instant.optional(),
});
export const SourceView = SourceInput.extend({
  sourceId: z.string(),
  version: z.number().int().min(1),
  updatedAt: Instant,
  updatedBy: z.string(),
  /** The second admin who approved this version, under four eyes. */
  approvedBy: z.string().optional(),
  secrets: z.array(SourceSecret),
}).meta({ id: "SourceView" });
/** A source's signing secret is shown once: when the source is created or the secret rotated. */
export const SourceWithSecret = z.strictObject({ source: SourceView, secret: z.string().optional() });

export const RuleRead = definitionRead(RuleDefinition).meta({ id: "RuleRead" });
export const RuleVersion = definitionView(RuleDefinition).meta({ id: "RuleVersion" });
export const RuleProposal = pendingChange(RuleDefinition).meta({ id: "RuleProposal" });
export const BadgeRead = definitionRead(BadgeDefinition).meta({ id: "BadgeRead" });
export const BadgeVersion = definitionView(BadgeDefinition).meta({ id: "BadgeVersion" });
export type BadgeView = z.infer<typeof BadgeVersion>;
export const BadgeProposal = pendingChange(BadgeDefinition).meta({ id: "BadgeProposal" });
export const BadgeList = z.strictObject({ badges: z.array(BadgeVersion) });

export const RuleSummary = z.strictObject({
  ruleId: z.string(),
  name: RuleDefinition.shape.name,
  award: RuleDefinition.shape.award,
  trigger: RuleDefinition.shape.trigger,
  team: z.boolean(),
});
export const RuleList = z.strictObject({ rules: z.array(RuleSummary) });

const Grant = z.strictObject({
  personId: z.string(),
  rule: z.strictObject({ ruleId: z.string(), version: Count }),
  reason: z.string(),
  cause: Cause,
  coins: Count.optional(),
  points: z.strictObject({ capability: Capability, amount: Count }).optional(),
});
export const DryRunAnswer = z.strictObject({
  rule: z.strictObject({ ruleId: z.string(), version: Count }),
  results: z.array(z.strictObject({ id: z.string(), grants: z.array(Grant), notes: z.array(z.string()) })),
  /** Each person's rule progress after the samples, to carry into the next dry run. */
  states: z.record(z.string(), z.unknown()),
});

// ---- The innovation fund and the rewards catalog ----

export const Fund = z
  .strictObject({
    fundId: z.string(),
    name: z.string(),
    description: z.string().optional(),
    currency: z.string(),
    period: z.string(),
    limits: z.strictObject({ perClaim: Count, perPersonInPeriod: Count }),
    twoApprovalsAbove: Count,
    createdAt: Instant,
    createdBy: z.string(),
  })
  .meta({ id: "Fund" });
export const FundTotals = z
  .strictObject({ currency: z.string(), deposited: Count, reserved: Count, paidOut: Count, clawedBack: Count, available: Signed })
  .meta({ id: "FundTotals" });
export const FundView = z
  .strictObject({ fund: Fund, totals: FundTotals, entries: z.array(LedgerEntry).optional(), cursor: Cursor.optional() })
  .meta({ id: "FundView" });
export const FundList = z.strictObject({ funds: z.array(FundView) });
export const DepositAnswer = z.strictObject({ entries: z.array(LedgerEntry), totals: FundTotals });

const ClaimStatus = z.enum(["pending", "paid", "rejected", "withdrawn"]);
export const Claim = z
  .strictObject({
    claimId: z.string(),
    fundId: z.string(),
    claimant: z.string(),
    claimantUnit: z.string(),
    scenario: z.string(),
    measuredValue: z.string(),
    evidence: z.array(z.string()),
    currency: z.string(),
    amount: Count,
    splitBy: z.enum(["amount", "share"]),
    parts: z.array(
      z.strictObject({
        personId: z.string(),
        amount: Count,
        share: Count.optional(),
        payoutEntryId: z.string().optional(),
        clawbackEntryId: z.string().optional(),
      }),
    ),
    requiredApprovals: z.union([z.literal(1), z.literal(2)]),
    decisions: z.array(
      z.strictObject({ approverId: z.string(), decision: z.enum(["approve", "reject"]), comment: z.string(), at: Instant }),
    ),
    status: ClaimStatus,
    reservationEntryId: z.string(),
    settlementEntryIds: z.array(z.string()),
    clawedBack: Count,
    createdAt: Instant,
    updatedAt: Instant,
    version: Count,
    steps: Count,
  })
  .meta({ id: "Claim" });
const ClaimStep = z.strictObject({
  claimId: z.string(),
  step: Count,
  at: Instant,
  actor: z.string(),
  action: z.enum(["submitted", "approved", "rejected", "withdrawn", "posted", "clawed-back"]),
  status: ClaimStatus,
  comment: z.string().optional(),
  amount: Count.optional(),
  entryIds: z.array(z.string()).optional(),
});
export const ClaimView = z.strictObject({ claim: Claim, history: z.array(ClaimStep).optional() }).meta({ id: "ClaimView" });
export const PersonFund = z.strictObject({
  personId: z.string(),
  /** Money received per currency, in its minor unit. */
  received: z.record(z.string(), Signed),
  claims: z.array(Claim),
  payouts: z.array(LedgerEntry),
});

export const RewardView = z
  .strictObject({
    rewardId: z.string(),
    version: z.number().int().min(1),
    reward: RewardDefinition,
    issued: Signed,
    remaining: z.union([Signed, z.literal("unlimited")]),
  })
  .meta({ id: "RewardView" });
export type RewardView = z.infer<typeof RewardView>;
export const RewardProposal = pendingChange(RewardDefinition).meta({ id: "RewardProposal" });
export const RewardList = z.strictObject({ rewards: z.array(RewardView) });
export const RedemptionAnswer = z.strictObject({
  entries: z.array(LedgerEntry),
  redemption: z.strictObject({ entryId: z.string(), rewardId: z.string(), quantity: Count, coins: Count, periodKey: z.string() }),
  balances: Balances,
});

export const Collection = z.strictObject({
  redemption: z.strictObject({
    entryId: z.string(),
    personId: z.string(),
    rewardId: z.string(),
    quantity: Count,
    collectedAt: Instant,
    collectedBy: z.string(),
  }),
});

export const BudgetStanding = z
  .strictObject({
    orgUnitId: z.string(),
    period: z.string(),
    version: z.number().int().min(1),
    coins: Count,
    whenExhausted: z.enum(["refuse", "overspend", "hold"]),
    drawn: Count,
    left: Signed,
    overspent: Count,
    burnPerDay: z.number().min(0),
    forecast: Count,
    outstanding: Signed,
    asOf: Instant,
  })
  .meta({ id: "BudgetStanding" });
export const Budgets = z.strictObject({ period: z.string(), budgets: z.array(BudgetStanding) });
/** The CSV of a report asked for with Accept: text/csv (UTF-8, a header row, cells safe in Excel). */
export const csv = { "text/csv": { schema: { type: "string", contentMediaType: "text/csv" } } };

// ---- Backtests ----

export const BacktestReport = z.strictObject({
  ruleId: z.string(),
  from: Instant,
  to: Instant,
  eventsReplayed: Count,
  eventsCounted: Count,
  rows: z.array(z.strictObject({ orgUnitId: z.string(), asset: z.string(), actual: Signed, wouldBe: Signed, change: Signed })),
  liabilityChange: Signed,
  /** People reaching each badge level per org unit: as the rules were, under the draft. */
  badges: z.array(
    z.strictObject({ orgUnitId: z.string(), badgeId: z.string(), level: Count, actual: Count, wouldBe: Count, change: Signed }),
  ),
  /** People who would newly meet or miss each promotion gate, per org unit. */
  gates: z.array(z.strictObject({ orgUnitId: z.string(), gateId: z.string(), newlyMeeting: Count, newlyMissing: Count })),
});

// ---- Bounties ----

const Author = z.strictObject({ personId: z.string(), name: z.string(), share: Count });
const BountyTeam = z.strictObject({
  teamId: z.string(),
  lead: z.string(),
  leadUnit: z.string(),
  members: z.array(Author),
  status: z.enum(["working", "delivered", "accepted", "rejected", "closed"]),
  takenAt: Instant,
  delivery: z.strictObject({ link: z.string(), note: z.string(), at: Instant, by: z.string() }).optional(),
  decisions: z.array(z.strictObject({ decision: z.enum(["accept", "reject"]), reason: z.string(), at: Instant })),
});
const BountyStatus = z.enum(["open", "done", "expired"]);
export const Bounty = z
  .strictObject({
    bountyId: z.string(),
    title: Localized,
    description: Localized,
    capability: Capability,
    reward: z.strictObject({ coins: Count, points: Count }),
    funding: z
      .strictObject({
        fundId: z.string(),
        currency: z.string(),
        amount: Count,
        reservationEntryId: z.string(),
        claimId: z.string(),
        voidEntryId: z.string().optional(),
      })
      .optional(),
    deadline: Instant,
    maxTeams: Count,
    poster: z.string(),
    posterUnit: z.string(),
    postedAt: Instant,
    status: BountyStatus,
    teams: z.array(BountyTeam),
    winner: z.string().optional(),
    doneAt: Instant.optional(),
    rewardEntryIds: z.array(z.string()),
    updatedAt: Instant,
    version: Count,
    steps: Count,
  })
  .meta({ id: "Bounty" });
const BountyStep = z.strictObject({
  bountyId: z.string(),
  step: Count,
  at: Instant,
  actor: z.string(),
  action: z.enum(["posted", "taken", "delivered", "accepted", "rejected", "expired"]),
  status: BountyStatus,
  teamId: z.string().optional(),
  reason: z.string().optional(),
  entryIds: z.array(z.string()).optional(),
});
export const BountyView = z.strictObject({ bounty: Bounty, history: z.array(BountyStep).optional() }).meta({ id: "BountyView" });
export const BountyList = z.strictObject({ bounties: z.array(Bounty) });
const RankedRow = z.strictObject({ id: z.string(), score: Signed, rank: z.number().int().min(1), name: z.string().optional() });
export const BountyWinners = z.strictObject({
  by: z.enum(["person", "orgUnit"]),
  period: z.string(),
  metric: z.literal("bountiesWon"),
  rows: z.array(RankedRow),
});

// ---- Leaderboards ----

const BoardRow = z.strictObject({
  rank: z.number().int().min(1),
  score: z.number(),
  self: z.boolean(),
  personId: z.string().nullable().optional(),
  orgUnitId: z.string().optional(),
  name: z.string(),
  anonymous: z.literal(true).optional(),
});
export const Board = z
  .strictObject({
    orgUnit: z.strictObject({ orgUnitId: z.string(), name: z.string() }),
    by: z.enum(["person", "orgUnit"]),
    metric: z.string(),
    period: z.enum(["week", "month", "quarter", "year", "all"]),
    periodKey: z.string(),
    timeZone: z.string(),
    order: z.string(),
    index: z.strictObject({ indexId: z.string(), version: Count, name: IndexDefinition.shape.name }).optional(),
    entrants: Count,
    entries: z.array(BoardRow),
    me: BoardRow.nullable(),
  })
  .meta({ id: "Board" });
export const IndexVersion = definitionView(IndexDefinition).meta({ id: "IndexVersion" });
export const IndexRead = definitionRead(IndexDefinition).meta({ id: "IndexRead" });
export const IndexProposal = pendingChange(IndexDefinition).meta({ id: "IndexProposal" });
export const Preferences = z
  .strictObject({ personId: z.string(), leaderboardOptOut: z.boolean(), updatedAt: Instant })
  .meta({ id: "Preferences" });

// ---- Gates, eligibility and the audit trail ----

export const GateVersion = definitionView(GateDefinition).meta({ id: "GateVersion" });
export const GateProposal = pendingChange(GateDefinition, { gateId: z.string() }).meta({ id: "GateProposal" });
export const GateRead = z
  .strictObject({
    gateId: z.string(),
    version: Count,
    definition: GateDefinition.optional(),
    updatedBy: z.string().optional(),
    approvedBy: z.string().optional(),
    pending: proposalView(GateDefinition).optional(),
  })
  .meta({ id: "GateRead" });
export const GateChange = GateVersion.extend({ gateId: z.string() });
export const GateList = z.strictObject({ gates: z.array(GateDefinition.extend({ gateId: z.string(), version: Count })) });

const CriterionResult = z.strictObject({
  criterion: GateCriterion,
  met: z.boolean(),
  required: z.string(),
  actual: z.string(),
  gap: z.number(),
  evidence: z.array(z.string()),
});
export const AsOf = z
  .strictObject({
    day: Day,
    known: z.enum(["then", "now"]),
    clock: z.enum(["known-then", "known-now"]),
    knownOn: z.string(),
    meaning: z.string(),
  })
  .meta({ id: "AsOf" });
export const GateResult = z
  .strictObject({
    gate: z.strictObject({ gateId: z.string(), version: Count }),
    personId: z.string(),
    eligible: z.boolean(),
    at: Instant,
    criteria: z.array(CriterionResult),
    asOf: AsOf.optional(),
  })
  .meta({ id: "GateResult" });
export type GateResult = z.infer<typeof GateResult>;
const NotChecked = z.strictObject({
  personId: z.string(),
  eligible: z.literal(false),
  problem: z.strictObject({ code: z.string(), detail: z.string() }),
});
export const EligibilityChecks = z.strictObject({
  gate: z.strictObject({ gateId: z.string(), version: Count, name: GateDefinition.shape.name }),
  asOf: AsOf.nullable(),
  summary: z.looseObject({ checked: Count, notEvaluated: Count, eligible: Count }),
  results: z.array(z.union([GateResult, NotChecked])),
});

export const TeamMember = z.strictObject({
  personId: z.string(),
  name: z.string(),
  tier: z.string(),
  orgUnitId: z.string(),
  isLead: z.boolean(),
  coins: Count,
  points: Signed,
  gate: z.strictObject({ gateId: z.string(), eligible: z.boolean(), met: Count, total: Count }).optional(),
});
export const Team = z.strictObject({
  orgUnit: z.strictObject({ orgUnitId: z.string(), name: z.string() }),
  units: z.array(z.strictObject({ orgUnitId: z.string(), name: z.string(), parentId: z.string().optional() })),
  members: z.array(TeamMember),
});
export type TeamMember = z.infer<typeof TeamMember>;

export const AuditRecord = z
  .strictObject({
    auditId: z.string(),
    at: Instant,
    actor: z.string(),
    action: z.string(),
    targets: z.array(z.string()),
    details: z.record(z.string(), z.unknown()),
    outcome: z.string(),
  })
  .meta({ id: "AuditRecord" });
export const AuditPage = z.strictObject({
  day: Day,
  timeZone: z.string(),
  from: Instant,
  to: Instant,
  records: z.array(AuditRecord),
  cursor: Cursor,
});

// ---- Imports ----

const RowOutcome = z.enum(["would-import", "imported", "pending", "duplicate", "unknown-person", "invalid"]);
export const ImportJob = z
  .strictObject({
    importId: z.string(),
    status: z.enum(["dry-run", "running", "done", "paused", "interrupted"]),
    onError: z.enum(["abort", "skip"]),
    encoding: z.enum(["utf-8", "utf-8-bom", "gbk"]),
    rows: Count,
    done: Count,
    counts: z.record(RowOutcome, Count),
    by: z.string(),
    startedAt: Instant,
    updatedAt: Instant,
  })
  .meta({ id: "ImportJob" });
export const ImportReport = ImportJob.extend({
  rowNumbers: z.string(),
  outcomes: z.array(
    z.strictObject({
      row: Count,
      outcome: RowOutcome,
      sourceSystem: z.string().optional(),
      recordId: z.string().optional(),
      personId: z.string().optional(),
      entryId: z.string().optional(),
      problem: z.string().optional(),
    }),
  ),
}).meta({ id: "ImportReport" });

// ---- Sign-in (Laurel's token service) ----

export const SignInAnswer = z.strictObject({
  accessToken: z.string(),
  tokenType: z.literal("Bearer"),
  expiresIn: z.number().int().positive(),
  personId: z.string(),
});
export const OpenIdConfiguration = z.looseObject({
  issuer: z.string(),
  jwks_uri: z.string(),
  response_types_supported: z.array(z.string()),
  subject_types_supported: z.array(z.string()),
  id_token_signing_alg_values_supported: z.array(z.string()),
});

// ---- Notifications ----

const Language = z.enum(["zh", "en"]);
const Message = z.strictObject({ title: z.string(), text: z.string() });
export const Bell = z.strictObject({
  personId: z.string(),
  since: Instant,
  language: Language,
  items: z.array(
    z.strictObject({
      id: z.string(),
      kind: z.enum(noticeKinds),
      at: Instant,
      colour: z.string().optional(),
      zh: Message,
      en: Message,
    }),
  ),
});
export const NotificationPreferences = z.strictObject({
  language: Language,
  quietHours: z.strictObject({ from: z.string(), until: z.string() }).nullable(),
  optOut: z.array(z.enum(noticeKinds)),
});
export const NotificationChannel = z
  .strictObject({
    channelId: z.string(),
    kind: z.enum(channelKinds),
    kinds: z.array(z.enum(noticeKinds)),
    language: Language,
    active: z.boolean(),
    updatedAt: Instant,
  })
  .meta({ id: "NotificationChannel" });
export const NotificationChannels = z.strictObject({ items: z.array(NotificationChannel) });
const Notice = z.strictObject({
  personId: z.string(),
  causeId: z.string(),
  at: Instant,
  /** What happened, by kind (a badge, an award, a penalty, a claim's step, a redemption). */
  data: z.looseObject({ kind: z.enum(noticeKinds) }),
});
export const DeadLetters = z.strictObject({
  items: z.array(
    z.strictObject({
      letterId: z.string(),
      delivery: z.strictObject({ deliveryId: z.string(), channelId: z.string(), notice: Notice, since: Instant.optional() }),
      attempts: Count,
      lastError: z.string(),
      at: Instant,
      replayedAt: Instant.optional(),
    }),
  ),
});
export const Replay = z.strictObject({ letterId: z.string(), replayedAt: Instant, deliveryId: z.string() });
