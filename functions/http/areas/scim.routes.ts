/**
 * SCIM 2.0 (RFC 7644) for HR systems: Users (people) and Groups (org units). Public to API
 * Gateway: a provisioning client presents its own bearer credential, checked by the SCIM layer
 * (functions/scim/), which answers in SCIM's own error format; so bodies and queries are taken
 * as they come and validated there.
 */
import * as z from "../../../domain/kernel/zod/index.ts";
import { defineRoute } from "../route.ts";
import { ScimDiscoveryList, ScimGroup, ScimGroups, ScimServiceProviderConfig, ScimUser, ScimUsers } from "../scim-answers.ts";

const ScimQuery = z.record(z.string(), z.string());
const ResourceParams = z.strictObject({ id: z.string().check(z.maxLength(200)) });
const body = { rawBody: { maxBytes: 64 * 1024 } };

const resource = (name: "Users" | "Groups", what: string) => {
  const one = name === "Users" ? ScimUser : ScimGroup;
  return {
    list: defineRoute({
      method: "GET",
      path: `/scim/v2/${name}`,
      area: "admin",
      auth: "public",
      summary: `SCIM: list ${what} (filter: userName eq, externalId eq, meta.lastModified gt; startIndex, count). Provisioning credential.`,
      query: ScimQuery,
      audit: "service",
      protocol: "scim",
      success: { status: 200, description: "A SCIM ListResponse.", schema: name === "Users" ? ScimUsers : ScimGroups },
    }),
    create: defineRoute({
      method: "POST",
      path: `/scim/v2/${name}`,
      area: "admin",
      auth: "public",
      summary: `SCIM: create one of the ${what}. Provisioning credential.`,
      ...body,
      audit: "service",
      protocol: "scim",
      success: { status: 201, description: "The resource as stored, with its ETag.", schema: one },
    }),
    get: defineRoute({
      method: "GET",
      path: `/scim/v2/${name}/{id}`,
      area: "admin",
      auth: "public",
      summary: `SCIM: one of the ${what}. Provisioning credential.`,
      params: ResourceParams,
      audit: "service",
      protocol: "scim",
      success: { status: 200, description: "The resource, with its ETag.", schema: one },
    }),
    replace: defineRoute({
      method: "PUT",
      path: `/scim/v2/${name}/{id}`,
      area: "admin",
      auth: "public",
      summary: `SCIM: replace one of the ${what} (If-Match honoured). Provisioning credential.`,
      params: ResourceParams,
      ...body,
      audit: "service",
      protocol: "scim",
      success: { status: 200, description: "The resource as stored, with its ETag.", schema: one },
    }),
    patch: defineRoute({
      method: "PATCH",
      path: `/scim/v2/${name}/{id}`,
      area: "admin",
      auth: "public",
      summary: `SCIM: change one of the ${what} by PatchOp (If-Match honoured). Provisioning credential.`,
      params: ResourceParams,
      ...body,
      audit: "service",
      protocol: "scim",
      success: { status: 200, description: "The resource as stored, with its ETag.", schema: one },
    }),
    remove: defineRoute({
      method: "DELETE",
      path: `/scim/v2/${name}/{id}`,
      area: "admin",
      auth: "public",
      summary:
        name === "Users"
          ? "SCIM: a person left: deactivated, their history kept (never deleted). Provisioning credential."
          : "SCIM: remove an empty org unit (one with units or people below it is refused). Provisioning credential.",
      params: ResourceParams,
      audit: "service",
      protocol: "scim",
      success: { status: 204, description: "Done; nothing in the body." },
    }),
  } as const;
};

const users = resource("Users", "people");
const groups = resource("Groups", "org units");
const discovery = (name: string, summary: string, schema: z.ZodMiniType) =>
  defineRoute({
    method: "GET",
    path: `/scim/v2/${name}`,
    area: "admin",
    auth: "public",
    summary: `SCIM: ${summary}. Provisioning credential.`,
    audit: "service",
    protocol: "scim",
    success: { status: 200, description: `The ${name} document.`, schema },
  });

export const scimRoutes = {
  scimListUsers: users.list,
  scimCreateUser: users.create,
  scimGetUser: users.get,
  scimReplaceUser: users.replace,
  scimPatchUser: users.patch,
  scimDeleteUser: users.remove,
  scimListGroups: groups.list,
  scimCreateGroup: groups.create,
  scimGetGroup: groups.get,
  scimReplaceGroup: groups.replace,
  scimPatchGroup: groups.patch,
  scimDeleteGroup: groups.remove,
  scimServiceProviderConfig: discovery("ServiceProviderConfig", "what this service provider supports", ScimServiceProviderConfig),
  scimResourceTypes: discovery("ResourceTypes", "the resource types", ScimDiscoveryList),
  scimSchemas: discovery("Schemas", "the schemas of Users and Groups and their extensions", ScimDiscoveryList),
};
