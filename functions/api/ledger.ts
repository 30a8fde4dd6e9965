/** Lambda: awards, deductions, reversals and ledger reads. */

import { AccountService } from "../../domain/accounts/index.ts";
import type { BadgeDefinition } from "../../domain/awards/index.ts";
import { budgetsOf, type StoredBudget } from "../../domain/budgets/index.ts";
import type { PersonId } from "../../domain/kernel/model.ts";
import { withExplanation } from "../../domain/ledger/index.ts";
import { createAdapters } from "../dynamo/adapters.ts";
import { DynamoHeldAwardStore } from "../dynamo/stores/held-award-store.ts";
import { policyHolds } from "../dynamo/stores/review-store.ts";
import { ledgerRoutes } from "../http/areas/ledger.routes.ts";
import { httpHandler, written } from "../http/http.ts";
import { BadgeSigner } from "../secrets/badge-signer.ts";

const adapters = createAdapters("ledger");
const accounts = new AccountService({
  store: adapters.ledgerStore,
  badges: async () => (await adapters.definitions.list<BadgeDefinition>("badge")).map((v) => ({ ...v.body, badgeId: v.id })),
  orgTree: () => adapters.directory.orgTree(),
  budgets: async () => {
    const budgets = budgetsOf(await adapters.definitions.list<StoredBudget>("budget"));
    return { budgets, timeZone: adapters.timeZone, ...(budgets.size ? { tree: await adapters.directory.orgTree() } : {}) };
  },
  clock: adapters.clock,
  signer: BadgeSigner.fromEnv(),
  heldAwards: new DynamoHeldAwardStore(adapters.db, adapters.tables),
  holds: policyHolds(adapters.db, adapters.tables.state),
});

/**
 * Where the API is published, for the issuer's URLs in credentials: PUBLIC_API_URL when set (a
 * custom domain), else the host the request came to (API Gateway's own domain).
 */
const apiUrl = (headers: Record<string, string | undefined>) => process.env.PUBLIC_API_URL ?? `https://${headers.host}`;

export const handler = httpHandler(
  "ledger",
  ledgerRoutes,
  {
    award: async ({ caller, body, idempotencyKey }) => written(await accounts.award(caller, body, idempotencyKey)),
    deduct: async ({ caller, body, idempotencyKey }) => written(await accounts.deduct(caller, body, idempotencyKey)),
    reverse: async ({ caller, params, body, idempotencyKey }) =>
      written(await accounts.reverse(caller, params.entryId, body, idempotencyKey)),
    whoAmI: async ({ caller }) => {
      const person = await adapters.directory.person(caller.personId);
      return { body: { ...caller, ...(person ? { name: person.name, orgUnitId: person.orgUnitId } : {}) } };
    },
    balances: async ({ caller, params }) => ({ body: await accounts.balances(caller, params.personId as PersonId) }),
    entry: async ({ caller, params }) => ({ body: withExplanation(await accounts.entry(caller, params.entryId)) }),
    badgeCredentials: async ({ caller, params, headers }) => ({
      body: await accounts.credentials(caller, params.personId as PersonId, apiUrl(headers)),
    }),
    badgeIssuer: async ({ headers }) => ({ body: await accounts.issuer(apiUrl(headers)) }),
    badgeIssuerKeys: async ({ headers }) => ({
      body: JSON.stringify(await accounts.issuerKeys(apiUrl(headers))),
      contentType: "application/jwk-set+json",
    }),
    badgeStatusList: async ({ params, headers }) => ({
      body: await accounts.statusList(params.personId as PersonId, apiUrl(headers)),
      contentType: "application/vc+jwt",
    }),
    ledger: async ({ caller, params, query }) => {
      const page = await accounts.ledger(caller, params.personId as PersonId, query.limit, query.cursor);
      return {
        body: { entries: page.items.map(withExplanation), cursor: page.cursor ?? null, ...(page.held ? { held: page.held } : {}) },
      };
    },
  },
  adapters,
);
