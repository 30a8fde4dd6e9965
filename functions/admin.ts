/** Lambda: the org directory (people and org units). */
import { DirectoryService } from "../domain/directory-service.ts";
import type { OrgUnitId, PersonId } from "../domain/model.ts";
import { createAdapters } from "./shared/adapters.ts";
import { httpHandler } from "./shared/http.ts";

const adapters = createAdapters();
const directory = new DirectoryService(adapters.directory);

export const handler = httpHandler(
  "admin",
  {
    putPerson: async ({ caller, params, body }) => ({ body: await directory.putPerson(caller, params.personId as PersonId, body) }),
    getPerson: async ({ caller, params }) => ({ body: await directory.person(caller, params.personId as PersonId) }),
    putOrgUnit: async ({ caller, params, body }) => ({ body: await directory.putOrgUnit(caller, params.orgUnitId as OrgUnitId, body) }),
    orgUnits: async () => ({ body: { orgUnits: await directory.orgUnits() } }),
  },
  adapters,
);
