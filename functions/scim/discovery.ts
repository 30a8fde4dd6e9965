/** SCIM discovery (RFC 7644 §4): what this service provider supports, its resource types and schemas. */
import { orgUnitKinds } from "../../domain/directory/index.ts";
import { tiers } from "../../domain/kernel/model.ts";
import { schemaIds, scimBase } from "./resources.ts";

/** Lists are filtered in memory from the whole directory: a page is at most this many resources. */
export const maxResults = 200;

export const serviceProviderConfig = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: true },
  authenticationSchemes: [
    {
      type: "oauthbearertoken",
      name: "Provisioning client bearer token",
      description: "A token an admin issues at POST /admin/provisioners/{clientId}/credentials; two are valid while rotating.",
      primary: true,
    },
  ],
  meta: { resourceType: "ServiceProviderConfig", location: `${scimBase}/ServiceProviderConfig` },
};

export const resourceTypes = [
  {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
    id: "User",
    name: "User",
    endpoint: "/Users",
    description: "A person in the org directory",
    schema: schemaIds.user,
    schemaExtensions: [
      { schema: schemaIds.enterprise, required: true },
      { schema: schemaIds.laurelUser, required: true },
    ],
    meta: { resourceType: "ResourceType", location: `${scimBase}/ResourceTypes/User` },
  },
  {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
    id: "Group",
    name: "Group",
    endpoint: "/Groups",
    description: "An org unit of the org tree",
    schema: schemaIds.group,
    schemaExtensions: [{ schema: schemaIds.laurelGroup, required: true }],
    meta: { resourceType: "ResourceType", location: `${scimBase}/ResourceTypes/Group` },
  },
];

const attribute = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: "string",
  multiValued: false,
  required: false,
  caseExact: true,
  mutability: "readWrite",
  returned: "default",
  uniqueness: "none",
  ...extra,
});
const reference = (name: string, description: string, extra: Record<string, unknown> = {}) =>
  attribute(name, {
    type: "complex",
    description,
    subAttributes: [attribute("value", { required: true }), attribute("$ref", { type: "reference" })],
    ...extra,
  });

const schema = (id: string, name: string, description: string, attributes: unknown[]) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
  id,
  name,
  description,
  attributes,
  meta: { resourceType: "Schema", location: `${scimBase}/Schemas/${id}` },
});

export const schemas = [
  schema(schemaIds.user, "User", "A person", [
    attribute("userName", { required: true, uniqueness: "server", description: "The person id" }),
    attribute("externalId", { description: "The HR system's id (工号)" }),
    attribute("displayName", { required: true }),
    attribute("name", { type: "complex", subAttributes: [attribute("formatted")] }),
    attribute("active", { type: "boolean", description: "false: the person left; their wallet is frozen" }),
  ]),
  schema(schemaIds.enterprise, "EnterpriseUser", "Enterprise User", [
    attribute("department", { required: true, description: "The id of the person's org unit (a Group id)" }),
    reference("manager", "The person's manager"),
  ]),
  schema(schemaIds.laurelUser, "LaurelUser", "Laurel's attributes of a person", [
    attribute("tier", { required: true, canonicalValues: [...tiers] }),
    attribute("tierSince", { required: true, description: "The day the person entered their tier (YYYY-MM-DD)" }),
    attribute("leftAt", { type: "dateTime", mutability: "readOnly" }),
  ]),
  schema(schemaIds.group, "Group", "An org unit", [
    attribute("displayName", { required: true }),
    attribute("members", {
      type: "complex",
      multiValued: true,
      mutability: "readOnly",
      description: "People placed in the unit by their department",
    }),
  ]),
  schema(schemaIds.laurelGroup, "LaurelGroup", "Laurel's attributes of an org unit", [
    attribute("kind", { required: true, canonicalValues: [...orgUnitKinds] }),
    reference("parent", "The unit above; only a group has none"),
    reference("lead", "The person leading the unit"),
  ]),
];
