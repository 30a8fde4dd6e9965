/**
 * Routes of awards a coin budget held for approval (its "hold" policy, docs/ARCHITECTURE.md#issuance-budgets): listed
 * per budget, released or rejected by an approver. Served by the webhooks area's function, which
 * posts them through the webhook's own path. Each route's 200 answer has its zod schema here.
 */
import * as z from "zod";
import { HeldAwardDecision } from "../../../domain/awards/index.ts";
import { BudgetPeriod } from "../../../domain/budgets/index.ts";
import { Id } from "../../../domain/kernel/schemas.ts";
import { defineRoute } from "../route.ts";
import { heldAwardAnswer } from "./integrity.routes.ts";

export const heldAwardsAnswer = z.object({ heldAwards: z.array(heldAwardAnswer) }).meta({ id: "HeldAwards" });

export const heldAwardRoutes = {
  budgetHeldAwards: defineRoute({
    method: "GET",
    path: "/budgets/{orgUnitId}/{period}/held-awards",
    area: "webhooks",
    auth: "token",
    summary:
      "The awards an exhausted coin budget held for approval (its policy `hold`), oldest first, each held, posted or rejected (approver, finance, admin).",
    params: z.strictObject({ orgUnitId: Id, period: BudgetPeriod }),
    success: { status: 200, description: "The budget's held awards.", schema: heldAwardsAnswer },
  }),
  decideHeldAward: defineRoute({
    method: "POST",
    path: "/budgets/held-awards/decision",
    area: "webhooks",
    auth: "token",
    summary:
      "Release an award a budget held (posted once: drawn from the budget if it has room now, else overspent and flagged) or reject it, with a reason. Never by the person it pays nor by who set the budget (403 self-release); deciding a settled one again answers it as it stands (approver, finance, admin).",
    body: HeldAwardDecision,
    success: { status: 200, description: "The held award as it stands now.", schema: heldAwardAnswer },
  }),
} as const;
