/** Lambda: open bounties (揭榜挂帅): post, take on, deliver, judge, expire; the board and the winners. */
import { randomUUID } from "node:crypto";
import type { BadgeDefinition } from "../../domain/awards/index.ts";
import { BountyService } from "../../domain/bounties/index.ts";
import { createAdapters } from "../dynamo/adapters.ts";
import { DynamoFundStore } from "../dynamo/fund-store.ts";
import { DynamoBountyStore } from "../dynamo/stores/bounty-store.ts";
import { policyHolds } from "../dynamo/stores/review-store.ts";
import { bountiesRoutes } from "../http/areas/bounties.routes.ts";
import { httpHandler, written } from "../http/http.ts";

const adapters = createAdapters("bounties");
export const bounties = new BountyService({
  store: new DynamoBountyStore(adapters.db, adapters.tables),
  ledger: adapters.ledgerStore,
  funds: new DynamoFundStore(adapters.db, adapters.tables),
  orgTree: () => adapters.directory.orgTree(),
  person: (personId) => adapters.directory.person(personId),
  badges: async () => (await adapters.definitions.list<BadgeDefinition>("badge")).map((v) => ({ ...v.body, badgeId: v.id })),
  clock: adapters.clock,
  timeZone: adapters.timeZone,
  newId: () => `bty-${randomUUID().slice(0, 13)}`,
  holds: policyHolds(adapters.db, adapters.tables.state),
});

export const handler = httpHandler(
  "bounties",
  bountiesRoutes,
  {
    postBounty: async ({ caller, body, idempotencyKey }) => written(await bounties.post(caller, body, idempotencyKey)),
    bounties: async ({ caller, query }) => ({ body: { bounties: await bounties.board(caller, query.view) } }),
    bounty: async ({ caller, params }) => ({ body: await bounties.bounty(caller, params.bountyId) }),
    takeBounty: async ({ caller, params, body, idempotencyKey }) =>
      written(await bounties.take(caller, params.bountyId, body, idempotencyKey)),
    deliverBounty: async ({ caller, params, body, idempotencyKey }) =>
      written(await bounties.deliver(caller, params.bountyId, params.teamId, body, idempotencyKey)),
    judgeBounty: async ({ caller, params, body, idempotencyKey }) =>
      written(await bounties.judge(caller, params.bountyId, params.teamId, body, idempotencyKey)),
    expireBounty: async ({ caller, params, body, idempotencyKey }) =>
      written(await bounties.expire(caller, params.bountyId, body, idempotencyKey)),
    bountyWinners: async ({ caller, query }) => ({ body: await bounties.winners(caller, query) }),
  },
  adapters,
);
