/**
 * DingTalk's contact changes (通讯录事件) applied as the directory's own commands, by the
 * provisioner "dingtalk": a user added or modified is created or updated (and reactivated) with
 * their DingTalk userid as their identity, their 工号 as externalId, their first department as
 * their org unit; a user who left is deactivated; a department created or modified becomes the
 * org unit `dt-<dept_id>` (DingTalk's root department 1 is the configured root unit); a department
 * removed is removed if empty. Details are read from DingTalk's API, not trusted from the event.
 * A person's tier is Laurel's (DingTalk has none): a new person starts at base, on the day they
 * arrive.
 */
import type { Directory, DirectoryService, Editor, OrgUnitInput, Person } from "../../domain/directory/index.ts";
import { DomainError } from "../../domain/kernel/errors.ts";
import type { OrgUnitId, PersonId } from "../../domain/kernel/model.ts";
import type { Clock } from "../../domain/kernel/ports.ts";
import type { DingTalkApi } from "./openapi-client.ts";

export interface ContactEvent {
  EventType: string;
  UserId?: string[];
  DeptId?: number[];
}

export interface OrgSyncDeps {
  service: DirectoryService;
  directory: Directory;
  api: Pick<DingTalkApi, "user" | "department">;
  clock: Clock;
  /** The Laurel org unit that is DingTalk's root department (id 1). */
  rootUnit: OrgUnitId;
}

const editor: Editor = { provisioner: "dingtalk" };
const rootDept = 1;
/** Deep enough for any real org chart; a loop in DingTalk's answers stops here. */
const maxDepth = 20;

export class DingTalkOrgSync {
  readonly #deps: OrgSyncDeps;

  constructor(deps: OrgSyncDeps) {
    this.#deps = deps;
  }

  /** Applies each id of the event; a refusal of the directory (recorded in the audit trail) is that id's outcome. */
  async apply(event: ContactEvent): Promise<{ id: string; outcome: string }[]> {
    const users = event.UserId ?? [];
    const depts = event.DeptId ?? [];
    const each = <T>(ids: T[], apply: (id: T) => Promise<unknown>) =>
      Promise.all(ids.map(async (id) => ({ id: String(id), outcome: await outcomeOf(() => apply(id)) })));
    switch (event.EventType) {
      case "user_add_org":
      case "user_modify_org":
        return each(users, (id) => this.#syncUser(id));
      case "user_leave_org":
        return each(users, (id) => this.#userLeft(id));
      case "org_dept_create":
      case "org_dept_modify":
        return each(depts, (id) => this.#syncDepartment(id, 0));
      case "org_dept_remove":
        return each(depts, (id) => this.#deps.service.removeOrgUnit(editor, this.#unitOf(id)));
      default:
        // check_url and the events Laurel does not subscribe to: answered, nothing to apply.
        return [];
    }
  }

  async #syncUser(userid: string): Promise<void> {
    const [user, existing] = await Promise.all([this.#deps.api.user(userid), this.#deps.directory.personByIdentity("dingtalk", userid)]);
    if (!user) return this.#userLeft(userid);
    const dept = user.dept_id_list[0] ?? rootDept;
    const [tree, manager] = await Promise.all([
      this.#deps.directory.orgTree(),
      user.manager_userid ? this.#deps.directory.personByIdentity("dingtalk", user.manager_userid) : undefined,
    ]);
    if (!tree.get(this.#unitOf(dept))) await this.#syncDepartment(dept, 0);
    const personId = existing?.personId ?? personIdOf(userid);
    await this.#deps.service.putPerson(
      editor,
      personId,
      {
        name: user.name,
        tier: existing?.tier ?? "base",
        tierSince: existing?.tierSince ?? this.#deps.clock.now().toISOString().slice(0, 10),
        orgUnitId: this.#unitOf(dept),
        ...(manager ? { managerId: manager.personId } : {}),
        ...((user.job_number ?? existing?.externalId) ? { externalId: user.job_number ?? existing?.externalId } : {}),
        identities: { ...existing?.identities, dingtalk: userid },
      },
      { active: true },
    );
  }

  async #userLeft(userid: string): Promise<void> {
    const person = await this.#deps.directory.personByIdentity("dingtalk", userid);
    if (person) await this.#deps.service.deactivate(editor, person.personId);
  }

  async #syncDepartment(deptId: number, depth: number): Promise<void> {
    if (deptId === rootDept) return;
    if (depth > maxDepth) throw new DomainError("unprocessable", "dingtalk-too-deep", `DingTalk department ${deptId} is nested too deep.`);
    const dept = await this.#deps.api.department(deptId);
    if (!dept) return;
    const parent = dept.parent_id ?? rootDept;
    const [tree, lead] = await Promise.all([
      this.#deps.directory.orgTree(),
      dept.dept_manager_userid_list?.[0] ? this.#deps.directory.personByIdentity("dingtalk", dept.dept_manager_userid_list[0]) : undefined,
    ]);
    if (!tree.get(this.#unitOf(parent))) await this.#syncDepartment(parent, depth + 1);
    const unit: OrgUnitInput = {
      name: dept.name,
      kind: "department",
      parentId: this.#unitOf(parent),
      ...(lead ? { leadId: (lead as Person).personId } : {}),
    };
    await this.#deps.service.putOrgUnit(editor, this.#unitOf(deptId), unit);
  }

  #unitOf(deptId: number): OrgUnitId {
    return deptId === rootDept ? this.#deps.rootUnit : (`dt-${deptId}` as OrgUnitId);
  }
}

/** A DingTalk userid as a person id: ids are letters, digits, '-' and '_'. */
const personIdOf = (userid: string) => `dt-${userid.replace(/[^A-Za-z0-9_-]/g, "_")}`.slice(0, 64) as PersonId;

async function outcomeOf(apply: () => Promise<unknown>): Promise<string> {
  try {
    await apply();
    return "applied";
  } catch (error) {
    // A refusal is this id's answer (and in the audit trail); anything else fails the callback, which DingTalk retries.
    if (error instanceof DomainError && error.kind !== "unavailable") return error.code;
    throw error;
  }
}
