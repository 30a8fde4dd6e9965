/** Lambda: the org directory, sources, award rules and badges, backtests. */
import { randomUUID } from "node:crypto";
import type { BadgeDefinition, RuleDefinition } from "../../domain/awards/index.ts";
import { RuleBook } from "../../domain/awards/index.ts";
import { type BacktestReport, BacktestService, backtestCsv, backtestJobListView, backtestJobView } from "../../domain/backtests/index.ts";
import { DirectoryService, replacementOf } from "../../domain/directory/index.ts";
import { factsNow } from "../../domain/gates/index.ts";
import type { OrgUnitId, PersonId } from "../../domain/kernel/model.ts";
import { dingTalkCallback } from "../dingtalk/callback.ts";
import { DingTalkApi } from "../dingtalk/openapi-client.ts";
import { createAdapters } from "../dynamo/adapters.ts";
import { DynamoBacktestJobStore } from "../dynamo/stores/backtest-job-store.ts";
import { DynamoEventLog } from "../dynamo/stores/event-log-store.ts";
import { DynamoProvisionerStore } from "../dynamo/stores/provisioner-store.ts";
import { adminRoutes } from "../http/areas/admin.routes.ts";
import { scimRoutes } from "../http/areas/scim.routes.ts";
import { httpHandler } from "../http/http.ts";
import { changeReply } from "../http/route.ts";
import { type BacktestJobEvent, backtestJobRunner, isBacktestJob } from "../invoke/self-invocation.ts";
import { asScimError, scimImplementations } from "../scim/scim-api.ts";
import { lazySources } from "../secrets/sources.ts";

const adapters = createAdapters("admin");
const provisioners = new DynamoProvisionerStore(adapters.db, adapters.tables.state);
const directory = new DirectoryService({
  ...adapters,
  provisioners,
  newId: randomUUID,
});
const sources = lazySources(adapters);
const rulebook = new RuleBook({ ...adapters, people: (ids) => adapters.ledgerStore.readPeople(ids), fourEyes: adapters.fourEyes });
const backtests: BacktestService = new BacktestService({
  definitions: adapters.definitions,
  events: new DynamoEventLog(adapters.db, adapters.tables.state),
  people: () => adapters.directory.allPeople(),
  facts: async (personIds) => {
    const snapshots = await adapters.ledgerStore.readPeople(personIds);
    return new Map(
      [...snapshots].flatMap(([personId, snapshot]) => {
        const facts = factsNow(adapters.clock, snapshot);
        return facts ? [[personId, facts] as const] : [];
      }),
    );
  },
  timeZone: adapters.timeZone,
  clock: adapters.clock,
  jobs: {
    store: new DynamoBacktestJobStore(adapters.db, adapters.tables.state),
    runner: backtestJobRunner((backtestId) => backtests.runJob(backtestId)),
    newId: randomUUID,
  },
});

const reportReply = (report: BacktestReport, accept: string | undefined) =>
  accept?.includes("text/csv") ? { body: backtestCsv(report), contentType: "text/csv; charset=utf-8" } : { body: report };

const http = httpHandler(
  "admin",
  { ...adminRoutes, ...scimRoutes },
  {
    putPerson: async ({ caller, params, body, ifMatch }) => {
      const replacement = replacementOf(params.personId, body);
      const version = ifMatch ?? replacement.ifMatch;
      const precondition = version === undefined ? {} : { ifMatch: version };
      return { body: await directory.putPerson(caller, params.personId as PersonId, replacement.input, precondition) };
    },
    deactivatePerson: async ({ caller, params }) => ({ body: await directory.deactivate(caller, params.personId as PersonId) }),
    reactivatePerson: async ({ caller, params }) => ({ body: await directory.reactivate(caller, params.personId as PersonId) }),
    issueProvisionerCredential: async ({ caller, params }) => ({ body: await directory.issueCredential(caller, params.clientId) }),
    ...scimImplementations({ ...adapters, service: directory, provisioners, newId: randomUUID }),
    dingtalkCallback: dingTalkCallback({
      ...adapters,
      service: directory,
      api: DingTalkApi.fromEnv(),
      rootUnit: process.env.DINGTALK_ROOT_UNIT,
    }),
    getPerson: async ({ caller, params }) => ({ body: await directory.person(caller, params.personId as PersonId) }),
    putOrgUnit: async ({ caller, params, body }) => ({ body: await directory.putOrgUnit(caller, params.orgUnitId as OrgUnitId, body) }),
    orgUnits: async () => ({ body: { orgUnits: await directory.orgUnits() } }),
    orgUnitPeople: async ({ caller, params }) => ({ body: { people: await directory.peopleBelow(caller, params.orgUnitId as OrgUnitId) } }),
    putSource: async ({ caller, params, body, ifMatch }) => changeReply(await sources().put(caller, params.sourceId, body, ifMatch)),
    approveSource: async ({ caller, params, body }) => ({ body: await sources().approve(caller, params.sourceId, body.proposal) }),
    getSource: async ({ caller, params }) => ({ body: await sources().get(caller, params.sourceId) }),
    rotateSourceSecret: async ({ caller, params, body }) => ({
      body: await sources().rotate(caller, params.sourceId, body.overlapHours),
    }),
    putRule: async ({ caller, params, body, ifMatch }) => changeReply(await rulebook.putRule(caller, params.ruleId, body, ifMatch)),
    approveRule: async ({ caller, params, body }) => ({ body: await rulebook.approve(caller, "rule", params.ruleId, body.proposal) }),
    getRule: async ({ caller, params }) => ({ body: await rulebook.get<RuleDefinition>(caller, "rule", params.ruleId) }),
    dryRunRule: async ({ caller, params, body }) => ({ body: await rulebook.dryRun(caller, params.ruleId, body) }),
    backtestRule: async ({ caller, params, body, headers }) => {
      const outcome = await backtests.run(caller, params.ruleId, body);
      if ("job" in outcome) return { status: 202, body: backtestJobView(outcome.job) };
      return reportReply(outcome.report, headers.accept);
    },
    backtests: async ({ caller, params, query }) => {
      const page = await backtests.list(caller, params.ruleId, query.limit, query.cursor);
      return { body: { backtests: page.jobs.map(backtestJobListView), cursor: page.cursor ?? null } };
    },
    backtestJob: async ({ caller, params, headers }) => {
      const job = await backtests.job(caller, params.ruleId, params.backtestId);
      return job.report && headers.accept?.includes("text/csv") ? reportReply(job.report, headers.accept) : { body: backtestJobView(job) };
    },
    cancelBacktest: async ({ caller, params }) => ({
      body: backtestJobView(await backtests.cancel(caller, params.ruleId, params.backtestId)),
    }),
    putBadge: async ({ caller, params, body, ifMatch }) => changeReply(await rulebook.putBadge(caller, params.badgeId, body, ifMatch)),
    approveBadge: async ({ caller, params, body }) => ({ body: await rulebook.approve(caller, "badge", params.badgeId, body.proposal) }),
    getBadge: async ({ caller, params }) => ({ body: await rulebook.get<BadgeDefinition>(caller, "badge", params.badgeId) }),
    dryRunBadge: async ({ caller, params, body }) => ({ body: await rulebook.dryRunBadge(caller, params.badgeId, body) }),
    badges: async () => ({ body: { badges: await rulebook.badges() } }),
    rules: async () => ({ body: { rules: await rulebook.rules() } }),
  },
  { ...adapters, scimError: asScimError },
);

/** The API's requests, and the backtest jobs this function starts for itself (functions/invoke/self-invocation.ts). */
export const handler = async (event: Parameters<typeof http>[0] | BacktestJobEvent, context: Parameters<typeof http>[1]) =>
  isBacktestJob(event) ? backtests.runJob(event.backtestJob) : http(event, context);
