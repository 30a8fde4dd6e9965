/** Lambda: the org directory, sources, award rules and badges. */
import type { BadgeDefinition, RuleDefinition } from "../domain/awards/index.ts";
import { RuleBook } from "../domain/awards/index.ts";
import { DirectoryService } from "../domain/directory/index.ts";
import type { OrgUnitId, PersonId } from "../domain/kernel/model.ts";
import { createAdapters } from "./dynamo/adapters.ts";
import { httpHandler } from "./http/http.ts";
import { changeReply } from "./http/route.ts";

const adapters = createAdapters("admin");
const directory = new DirectoryService(adapters.directory);
const rulebook = new RuleBook({ ...adapters, fourEyes: adapters.fourEyes });

export const handler = httpHandler(
  "admin",
  {
    putPerson: async ({ caller, params, body }) => ({ body: await directory.putPerson(caller, params.personId as PersonId, body) }),
    getPerson: async ({ caller, params }) => ({ body: await directory.person(caller, params.personId as PersonId) }),
    putOrgUnit: async ({ caller, params, body }) => ({ body: await directory.putOrgUnit(caller, params.orgUnitId as OrgUnitId, body) }),
    orgUnits: async () => ({ body: { orgUnits: await directory.orgUnits() } }),
    orgUnitPeople: async ({ caller, params }) => ({ body: { people: await directory.peopleBelow(caller, params.orgUnitId as OrgUnitId) } }),
    putSource: async ({ caller, params, body }) => ({ body: await adapters.sources().put(caller, params.sourceId, body) }),
    getSource: async ({ caller, params }) => ({ body: await adapters.sources().get(caller, params.sourceId) }),
    rotateSourceSecret: async ({ caller, params, body }) => ({
      body: await adapters.sources().rotate(caller, params.sourceId, body.overlapHours),
    }),
    putRule: async ({ caller, params, body, ifMatch }) => changeReply(await rulebook.putRule(caller, params.ruleId, body, ifMatch)),
    approveRule: async ({ caller, params, body }) => ({ body: await rulebook.approve(caller, "rule", params.ruleId, body.proposal) }),
    getRule: async ({ caller, params }) => ({ body: await rulebook.get<RuleDefinition>(caller, "rule", params.ruleId) }),
    dryRunRule: async ({ caller, params, body }) => ({ body: await rulebook.dryRun(caller, params.ruleId, body) }),
    putBadge: async ({ caller, params, body, ifMatch }) => changeReply(await rulebook.putBadge(caller, params.badgeId, body, ifMatch)),
    approveBadge: async ({ caller, params, body }) => ({ body: await rulebook.approve(caller, "badge", params.badgeId, body.proposal) }),
    getBadge: async ({ caller, params }) => ({ body: await rulebook.get<BadgeDefinition>(caller, "badge", params.badgeId) }),
    badges: async () => ({ body: { badges: await rulebook.badges() } }),
    rules: async () => ({ body: { rules: await rulebook.rules() } }),
  },
  adapters,
);
