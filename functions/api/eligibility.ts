/** Lambda: promotion gates, eligibility checks and the audit trail. Reads the ledger, writes only audit records. */
import { randomUUID } from "node:crypto";
import { type EligibilityDeps, EligibilityService, GateBook, TeamOverview, toCsv } from "../../domain/gates/index.ts";
import type { OrgUnitId, PersonId } from "../../domain/kernel/model.ts";
import { createAdapters } from "../dynamo/adapters.ts";
import { DynamoEligibilityStore } from "../dynamo/eligibility-store.ts";
import { eligibilityRoutes } from "../http/areas/eligibility.routes.ts";
import { httpHandler } from "../http/http.ts";
import { changeReply } from "../http/route.ts";

const adapters = createAdapters("eligibility");
const deps: EligibilityDeps = {
  store: new DynamoEligibilityStore(adapters.db, adapters.tables, adapters.ledgerStore, adapters.audit),
  definitions: adapters.definitions,
  orgTree: () => adapters.directory.orgTree(),
  peopleIn: (orgUnitId) => adapters.directory.peopleIn(orgUnitId),
  clock: adapters.clock,
  timeZone: adapters.timeZone,
  newId: randomUUID,
};
const eligibility = new EligibilityService(deps);
const teams = new TeamOverview(deps);

const gates = new GateBook({ ...adapters, fourEyes: adapters.fourEyes });

export const handler = httpHandler(
  "eligibility",
  eligibilityRoutes,
  {
    putGate: async ({ caller, params, body, ifMatch }) => {
      const changed = await gates.putGate(caller, params.gateId, body, ifMatch);
      return changeReply(changed, { gateId: changed.view.id });
    },
    approveGate: async ({ caller, params, body }) => {
      const approved = await gates.approveGate(caller, params.gateId, body.proposal);
      return { body: { gateId: approved.id, ...approved } };
    },
    getGate: async ({ caller, params }) => ({ body: await eligibility.getGate(caller, params.gateId) }),
    gates: async () => ({ body: { gates: await eligibility.gates() } }),
    team: async ({ caller, params }) => ({ body: await teams.of(caller, params.orgUnitId as OrgUnitId) }),
    eligibility: async ({ caller, params, query }) => ({
      body: await eligibility.check(caller, params.personId as PersonId, query.gate, query.asOf, query.known),
    }),
    eligibilityChecks: async ({ caller, body, headers }) => {
      const checked = await eligibility.checkMany(caller, body);
      if (!headers.accept?.includes("text/csv")) return { body: checked };
      const people = await Promise.all(checked.results.map((r) => adapters.directory.person(r.personId as PersonId)));
      const names = new Map(people.flatMap((p) => (p ? [[p.personId as string, p.name] as const] : [])));
      return { body: toCsv(checked.results, names), contentType: "text/csv; charset=utf-8" };
    },
    auditTrail: async ({ caller, query }) => ({ body: await eligibility.auditTrail(caller, query.day, query.limit, query.cursor) }),
  },
  adapters,
);
