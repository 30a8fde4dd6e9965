/**
 * The SCIM 2.0 service provider (RFC 7644) over the directory's use cases: every request
 * authenticated by a provisioning client's credential, every use in the audit trail (changes by
 * the directory service with what changed, reads here), every refusal a SCIM error (§3.12) that
 * wrote nothing. Filters are parsed and evaluated by scim2-parse-filter, PATCH operations applied
 * by scim-patch to the resource as it stands, which is then stored like a PUT.
 */

import { type ScimPatchOperation, scimPatch } from "scim-patch";
import { filter as compileFilter, parse as parseFilter } from "scim2-parse-filter";
import {
  claimedClient,
  type Directory,
  type DirectoryService,
  type Editor,
  inputOf,
  isActive,
  type OrgUnit,
  type Person,
  type ProvisionerStore,
  verifyCredential,
} from "../../domain/directory/index.ts";
import type { AuditRecord } from "../../domain/kernel/audit.ts";
import { DomainError, NotFoundError, UnauthenticatedError } from "../../domain/kernel/errors.ts";
import type { OrgUnitId, PersonId } from "../../domain/kernel/model.ts";
import type { Clock } from "../../domain/kernel/ports.ts";
import { idPattern } from "../../domain/kernel/schemas.ts";
import type * as z from "../../domain/kernel/zod/index.ts";
import type { scimRoutes } from "../http/areas/scim.routes.ts";
import type { AreaImplementations, Result } from "../http/http.ts";
import type { Reply } from "../http/route.ts";
import { maxResults, resourceTypes, schemas, serviceProviderConfig } from "./discovery.ts";
import { etagOf, GroupRequest, groupResource, orgUnitInputOf, personInputOf, schemaIds, UserRequest, userResource } from "./resources.ts";

/** SCIM clients read SCIM's error (RFC 7644 §3.12), also when the service fails under them (503, 500). */
export function asScimError(response: Result): Result {
  const { status, detail } = JSON.parse(String(response.body)) as { status: number; detail: string };
  return {
    ...response,
    headers: { ...response.headers, "content-type": "application/scim+json" },
    body: JSON.stringify({ schemas: [schemaIds.error], status: String(status), detail }),
  };
}

export interface ScimDeps {
  service: DirectoryService;
  directory: Directory;
  provisioners: ProvisionerStore;
  audit: { append(record: AuditRecord): Promise<void> };
  clock: Clock;
  newId: () => string;
}

/** A refusal of the SCIM layer itself, before the directory is asked. */
class ScimError extends Error {
  readonly status: number;
  readonly scimType: string | undefined;
  constructor(status: number, scimType: string | undefined, detail: string) {
    super(detail);
    this.status = status;
    this.scimType = scimType;
  }
}

const scimJson = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  body: JSON.stringify(body),
  contentType: "application/scim+json",
  headers,
});

const scimTypeOf: Record<string, string> = {
  "org-unit-cycle": "invalidValue",
  "identity-taken": "uniqueness",
  "version-mismatch": "invalidVers",
  "validation-failed": "invalidValue",
};
const statusOfKind: Record<string, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  "not-found": 404,
  conflict: 409,
  "precondition-failed": 412,
  unprocessable: 400,
};

function errorReply(error: unknown): Reply {
  if (error instanceof ScimError) return problem(error.status, error.scimType, error.message);
  if (error instanceof UnauthenticatedError)
    return { ...problem(401, undefined, error.message), headers: { "www-authenticate": error.challenge } };
  if (error instanceof DomainError) {
    const status = statusOfKind[error.kind];
    if (status) return problem(status, scimTypeOf[error.code] ?? (status === 400 ? "invalidValue" : undefined), error.message);
  }
  throw error;
}

const problem = (status: number, scimType: string | undefined, detail: string) =>
  scimJson(status, { schemas: [schemaIds.error], status: String(status), ...(scimType ? { scimType } : {}), detail });

function jsonOf(raw: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(raw.toString("utf8"));
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  throw new ScimError(400, "invalidSyntax", "The body is not a JSON object.");
}

function parsed<S extends z.ZodMiniType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields = result.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
  throw new ScimError(400, "invalidValue", `The resource is not valid: ${fields}.`);
}

function ifMatchOf(headers: Record<string, string | undefined>): number | undefined {
  const header = headers["if-match"];
  if (header === undefined || header === "*") return undefined;
  const version = /^(?:W\/)?"(\d+)"$/.exec(header.trim())?.[1];
  if (version === undefined) throw new ScimError(400, "invalidSyntax", `If-Match must be an ETag such as W/"3", not ${header}.`);
  return Number(version);
}

function idOf(id: string): string {
  if (!idPattern.test(id)) throw new ScimError(404, undefined, `No resource with id "${id}".`);
  return id;
}

function page<T>(resources: T[], query: Record<string, string>) {
  const number = (name: string, fallback: number) => {
    const value = query[name] === undefined ? fallback : Number(query[name]);
    if (!Number.isInteger(value)) throw new ScimError(400, "invalidValue", `${name} must be an integer.`);
    return value;
  };
  const startIndex = Math.max(1, number("startIndex", 1));
  const count = Math.min(maxResults, Math.max(0, number("count", maxResults)));
  const items = resources.slice(startIndex - 1, startIndex - 1 + count);
  return { schemas: [schemaIds.list], totalResults: resources.length, startIndex, itemsPerPage: items.length, Resources: items };
}

function filtered<T extends object>(resources: T[], expression: string | undefined): T[] {
  if (expression === undefined) return resources;
  let matches: (resource: T) => boolean;
  try {
    matches = compileFilter(parseFilter(expression)) as (resource: T) => boolean;
  } catch (error) {
    throw new ScimError(400, "invalidFilter", `The filter is not valid: ${(error as Error).message}`);
  }
  return resources.filter(matches);
}

/** The person ids a Group's `members` names (`[{ "value": "<id>" }, …]`). */
function memberIdsOf(members: unknown): Set<string> {
  if (!Array.isArray(members)) throw new ScimError(400, "invalidValue", 'members is a list of { "value": "<person id>" }.');
  return new Set(
    members.map((member) => {
      const value = (member as { value?: unknown } | null)?.value;
      if (typeof value !== "string") throw new ScimError(400, "invalidValue", 'Each member is { "value": "<person id>" }.');
      return value;
    }),
  );
}

function patched<T extends object>(resource: T, body: Record<string, unknown>): T {
  if (!Array.isArray(body.Operations) || !(body.schemas as unknown[] | undefined)?.includes(schemaIds.patch)) {
    throw new ScimError(400, "invalidSyntax", `A PATCH body is a ${schemaIds.patch} with Operations.`);
  }
  try {
    return scimPatch(structuredClone(resource) as never, body.Operations as ScimPatchOperation[]) as T;
  } catch (error) {
    throw new ScimError(400, (error as { scimType?: string }).scimType ?? "invalidValue", (error as Error).message);
  }
}

type ScimImplementations = Pick<AreaImplementations<"admin">, keyof typeof scimRoutes>;

export function scimImplementations(deps: ScimDeps): ScimImplementations {
  const { service, directory } = deps;

  /** Authenticates, runs, answers in SCIM's format; reads and the SCIM layer's refusals are recorded here. */
  const served =
    (action: string, run: (editor: Editor & { provisioner: string }, target: string[]) => Promise<Reply>) =>
    async (request: { headers: Record<string, string | undefined>; params: unknown }): Promise<Reply> => {
      let editor: Editor & { provisioner: string };
      try {
        const { clientId, token } = claimedClient(request.headers.authorization);
        const credential = verifyCredential(await deps.provisioners.provisioner(clientId), token);
        editor = { provisioner: `${clientId}/${credential.credentialId}` };
      } catch (error) {
        return errorReply(error);
      }
      const targets = Object.values(request.params as Record<string, string>);
      const record = (outcome: string) =>
        deps.audit.append({
          auditId: deps.newId(),
          at: deps.clock.now().toISOString(),
          actor: `provisioner:${editor.provisioner}` as PersonId,
          action,
          targets,
          details: {},
          outcome,
        });
      const read = action.startsWith("scim.read");
      try {
        const reply = await run(editor, targets);
        if (read) await record(String(reply.status));
        return reply;
      } catch (error) {
        const reply = errorReply(error);
        if (read || error instanceof ScimError) await record(String(reply.status));
        return reply;
      }
    };

  const person = async (id: string) => {
    const found = await directory.person(idOf(id) as PersonId);
    if (!found) throw new NotFoundError("person", id);
    return found;
  };
  const userReply = (status: number, stored: Person) =>
    scimJson(status, userResource(stored), { etag: etagOf(stored.version), location: `/scim/v2/Users/${stored.personId}` });

  /** Stores a User resource as the person, at the version given, active or not, in one write. */
  const storeUser = async (editor: Editor, id: PersonId, resource: unknown, before: Person | undefined, ifMatch: number | undefined) => {
    const user = parsed(UserRequest, resource);
    if (user.userName !== id) throw new ScimError(400, "mutability", `userName is the person id "${id}" and cannot change.`);
    const input = personInputOf(user, before?.identities);
    if (typeof input === "string") throw new ScimError(400, "invalidValue", input);
    return service.putPerson(editor, id, input, {
      ifMatch: ifMatch ?? before?.version ?? 0,
      ...(user.active === undefined ? {} : { active: user.active }),
    });
  };

  const unit = async (id: string) => {
    const found = (await directory.orgTree()).get(idOf(id) as OrgUnitId);
    if (!found) throw new NotFoundError("org-unit", id);
    return found;
  };
  const groupReply = async (status: number, stored: OrgUnit) =>
    scimJson(status, groupResource(stored, await members(stored.orgUnitId)), {
      location: `/scim/v2/Groups/${stored.orgUnitId}`,
    });
  const members = async (orgUnitId: OrgUnitId) => (await directory.peopleIn(orgUnitId)).filter(isActive);
  /**
   * A Group's members are the people whose org unit it is, so a member added joins it (their
   * department changes). A person belongs to exactly one unit: removing a member without adding
   * them elsewhere is refused, and they leave by joining another Group or by their own department.
   * Everything is checked before anything is written; the moves are each person's own write, so a
   * request cut short is finished by sending it again.
   */
  const storeGroup = async (editor: Editor, id: OrgUnitId, resource: Record<string, unknown>, before: readonly Person[]) => {
    const wanted = resource.members === undefined ? undefined : memberIdsOf(resource.members);
    const current = new Set(before.map((p) => p.personId as string));
    const removed = wanted ? [...current].filter((personId) => !wanted.has(personId)) : [];
    if (removed.length > 0) {
      throw new ScimError(
        400,
        "mutability",
        `A person leaves a group by joining another one: add ${removed.join(", ")} to their new group, or set their department.`,
      );
    }
    const joining = await Promise.all(
      [...(wanted ?? [])]
        .filter((personId) => !current.has(personId))
        .map(async (personId) => {
          const found = await directory.person(idOf(personId) as PersonId);
          if (!found) throw new ScimError(400, "invalidValue", `No person "${personId}" to add to the group.`);
          return found;
        }),
    );
    const inactive = joining.find((p) => !isActive(p));
    if (inactive)
      throw new ScimError(400, "invalidValue", `${inactive.personId} is deactivated: reactivate them before they join a group.`);
    const stored = await service.putOrgUnit(editor, id, orgUnitInputOf(parsed(GroupRequest, resource)));
    for (const p of joining) await service.putPerson(editor, p.personId, { ...inputOf(p), orgUnitId: id }, { ifMatch: p.version ?? 0 });
    return stored;
  };

  return {
    scimServiceProviderConfig: served("scim.read.config", async () => scimJson(200, serviceProviderConfig)),
    scimResourceTypes: served("scim.read.resource-types", async () => scimJson(200, page(resourceTypes, {}))),
    scimSchemas: served("scim.read.schemas", async () => scimJson(200, page(schemas, {}))),

    scimListUsers: (request) =>
      served("scim.read.users", async () => {
        const people: Person[] = [];
        for await (const p of directory.allPeople()) people.push(p);
        const resources = people.sort((a, b) => a.personId.localeCompare(b.personId)).map(userResource);
        return scimJson(200, page(filtered(resources, request.query.filter), request.query));
      })(request),
    scimGetUser: (request) =>
      served("scim.read.user", async () => {
        const found = await person(request.params.id);
        return userReply(200, found);
      })(request),
    scimCreateUser: (request) =>
      served("scim.create.user", async (editor) => {
        const body = jsonOf(request.rawBody);
        const id = String(body.userName ?? "");
        if (!idPattern.test(id))
          throw new ScimError(400, "invalidValue", `userName must be a person id (lower-case letters, digits, dashes), not "${id}".`);
        if (await directory.person(id as PersonId)) throw new ScimError(409, "uniqueness", `A person with userName "${id}" exists.`);
        return userReply(201, await storeUser(editor, id as PersonId, body, undefined, 0));
      })(request),
    scimReplaceUser: (request) =>
      served("scim.replace.user", async (editor) => {
        const before = await person(request.params.id);
        return userReply(200, await storeUser(editor, before.personId, jsonOf(request.rawBody), before, ifMatchOf(request.headers)));
      })(request),
    scimPatchUser: (request) =>
      served("scim.patch.user", async (editor) => {
        const before = await person(request.params.id);
        const after = patched(userResource(before), jsonOf(request.rawBody));
        return userReply(200, await storeUser(editor, before.personId, after, before, ifMatchOf(request.headers)));
      })(request),
    scimDeleteUser: (request) =>
      served("scim.delete.user", async (editor) => {
        const before = await person(request.params.id);
        await service.deactivate(editor, before.personId, { ifMatch: ifMatchOf(request.headers) ?? before.version ?? 0 });
        return { status: 204, body: "", contentType: "application/scim+json" };
      })(request),

    scimListGroups: (request) =>
      served("scim.read.groups", async () => {
        const units = (await directory.orgTree()).units().sort((a, b) => a.orgUnitId.localeCompare(b.orgUnitId));
        // Members are listed on a Group's own GET: a list would query every unit's people.
        const resources = units.map((u) => {
          const { members: _members, ...group } = groupResource(u, []);
          return group;
        });
        return scimJson(200, page(filtered(resources, request.query.filter), request.query));
      })(request),
    scimGetGroup: (request) => served("scim.read.group", async () => groupReply(200, await unit(request.params.id)))(request),
    scimCreateGroup: (request) =>
      served("scim.create.group", async (editor) => {
        const body = jsonOf(request.rawBody);
        const id = String(body.id ?? body.externalId ?? "");
        if (!idPattern.test(id))
          throw new ScimError(400, "invalidValue", `Give the group an id (its org unit id) in id or externalId, not "${id}".`);
        if ((await directory.orgTree()).get(id as OrgUnitId)) throw new ScimError(409, "uniqueness", `An org unit "${id}" exists.`);
        return groupReply(201, await storeGroup(editor, id as OrgUnitId, body, []));
      })(request),
    scimReplaceGroup: (request) =>
      served("scim.replace.group", async (editor) => {
        const before = await unit(request.params.id);
        return groupReply(200, await storeGroup(editor, before.orgUnitId, jsonOf(request.rawBody), await members(before.orgUnitId)));
      })(request),
    scimPatchGroup: (request) =>
      served("scim.patch.group", async (editor) => {
        const before = await unit(request.params.id);
        const people = await members(before.orgUnitId);
        const resource = patched(groupResource(before, people), jsonOf(request.rawBody)) as Record<string, unknown>;
        return groupReply(200, await storeGroup(editor, before.orgUnitId, resource, people));
      })(request),
    scimDeleteGroup: (request) =>
      served("scim.delete.group", async (editor) => {
        await service.removeOrgUnit(editor, (await unit(request.params.id)).orgUnitId);
        return { status: 204, body: "", contentType: "application/scim+json" };
      })(request),
  };
}
