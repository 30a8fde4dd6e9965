/**
 * The answers of the SCIM routes (RFC 7643, RFC 7644), as functions/scim/ builds them: resources,
 * list responses, the discovery documents and SCIM's own error (§3.12), all in
 * application/scim+json. Attributes SCIM clients may meet on any resource (`meta`, extension
 * schemas) are declared; documents whose shape the RFCs define at length are checked by their
 * `schemas` and the members clients rely on.
 */
import { orgUnitKinds } from "../../domain/directory/index.ts";
import { tiers } from "../../domain/kernel/model.ts";
import * as z from "../../domain/kernel/zod/index.ts";
import { schemaIds } from "../scim/resources.ts";

const Instant = z.string().register(z.globalRegistry, { format: "date-time" });
const Count = z.number().check(z.int(), z.gte(0));
/**
 * A reference to another resource. SCIM names its URI `$ref`, which these objects leave undeclared:
 * a property of that name in the document reads as a JSON reference to OpenAPI tools.
 */
const Reference = z.looseObject({ value: z.string() });
const Meta = z.strictObject({
  resourceType: z.string(),
  lastModified: z.optional(Instant),
  version: z.optional(z.string()),
  location: z.string(),
});

export const ScimUser = z
  .strictObject({
    schemas: z.array(z.string()),
    id: z.string(),
    externalId: z.optional(z.string()),
    userName: z.string(),
    displayName: z.string(),
    name: z.strictObject({ formatted: z.string() }),
    active: z.boolean(),
    [schemaIds.enterprise]: z.strictObject({ department: z.string(), manager: z.optional(Reference) }),
    [schemaIds.laurelUser]: z.strictObject({ tier: z.enum(tiers), tierSince: z.string(), leftAt: z.optional(Instant) }),
    meta: Meta,
  })
  .register(z.globalRegistry, { id: "ScimUser" });

export const ScimGroup = z
  .strictObject({
    schemas: z.array(z.string()),
    id: z.string(),
    displayName: z.string(),
    /** On a Group's own GET; a list leaves them out. */
    members: z.optional(z.array(z.extend(Reference, { display: z.string(), type: z.literal("User") }))),
    [schemaIds.laurelGroup]: z.strictObject({ kind: z.enum(orgUnitKinds), parent: z.optional(Reference), lead: z.optional(Reference) }),
    meta: Meta,
  })
  .register(z.globalRegistry, { id: "ScimGroup" });

const listOf = <T extends z.ZodMiniType>(resource: T) =>
  z.strictObject({
    schemas: z.tuple([z.literal(schemaIds.list)]),
    totalResults: Count,
    startIndex: z.number().check(z.int(), z.gte(1)),
    itemsPerPage: Count,
    Resources: z.array(resource),
  });

export const ScimUsers = listOf(ScimUser);
export const ScimGroups = listOf(ScimGroup);
/** A discovery document (ServiceProviderConfig, a ResourceType, a Schema): RFC 7643 §5–7 define the rest. */
const Discovery = z.looseObject({ schemas: z.array(z.string()), meta: Meta });
export const ScimServiceProviderConfig = Discovery;
export const ScimDiscoveryList = listOf(Discovery);

/** SCIM's error (RFC 7644 §3.12): status as a string, scimType for the 400s and 409s it names. */
export const ScimError = {
  type: "object",
  required: ["schemas", "status", "detail"],
  additionalProperties: false,
  properties: {
    schemas: { type: "array", items: { const: schemaIds.error } },
    status: { type: "string", pattern: "^[45][0-9][0-9]$" },
    scimType: { type: "string" },
    detail: { type: "string" },
  },
};
