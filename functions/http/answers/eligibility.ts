/** Answers of gates, eligibility checks, teams and the audit trail (the eligibility function). */
import { GateCriterion, GateDefinition } from "../../../domain/gates/index.ts";
import * as z from "../../../domain/kernel/zod/index.ts";
import { Count, Cursor, Day, definitionRead, definitionView, Instant, pendingChange, Signed } from "../answers.ts";

export const GateVersion = definitionView(GateDefinition).register(z.globalRegistry, { id: "GateVersion" });
export const GateProposal = pendingChange(GateDefinition).register(z.globalRegistry, { id: "GateProposal" });
export const GateRead = definitionRead(GateDefinition).register(z.globalRegistry, { id: "GateRead" });
export const GateList = z.strictObject({ gates: z.array(GateVersion) });

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
  .register(z.globalRegistry, { id: "AsOf" });
export const GateResult = z
  .strictObject({
    gate: z.strictObject({ gateId: z.string(), version: Count }),
    personId: z.string(),
    eligible: z.boolean(),
    at: Instant,
    criteria: z.array(CriterionResult),
    asOf: z.optional(AsOf),
  })
  .register(z.globalRegistry, { id: "GateResult" });
export type GateResult = z.infer<typeof GateResult>;
const NotChecked = z.strictObject({
  personId: z.string(),
  eligible: z.literal(false),
  problem: z.strictObject({ code: z.string(), detail: z.string() }),
});
export const EligibilityChecks = z.strictObject({
  gate: z.strictObject({ gateId: z.string(), version: Count, name: GateDefinition.shape.name }),
  asOf: z.nullable(AsOf),
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
  gate: z.optional(z.strictObject({ gateId: z.string(), eligible: z.boolean(), met: Count, total: Count })),
});
export const Team = z.strictObject({
  orgUnit: z.strictObject({ orgUnitId: z.string(), name: z.string() }),
  units: z.array(z.strictObject({ orgUnitId: z.string(), name: z.string(), parentId: z.optional(z.string()) })),
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
  .register(z.globalRegistry, { id: "AuditRecord" });
export const AuditPage = z.strictObject({
  day: Day,
  timeZone: z.string(),
  from: Instant,
  to: Instant,
  records: z.array(AuditRecord),
  cursor: Cursor,
});
