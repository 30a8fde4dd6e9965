/**
 * The DingTalk org sync: the callback's signature and encryption against DingTalk's documented
 * sample values, then contact-change events, signed and encrypted as DingTalk sends them, applied
 * to the directory with the details read from a fake of DingTalk's API; leads and HR see the
 * result on the next request.
 */
import { afterAll, describe, expect, it } from "vitest";
import { periodKey } from "../../domain/kernel/periods.ts";
import { DingTalkCallbackCrypto } from "../../functions/dingtalk/callback-crypto.ts";
import { as, call } from "../support/api.ts";
import { withDemoOrg } from "../support/org.ts";
import { startFakeDingTalk } from "./dingtalk-fake.ts";

// DingTalk's documented sample (open.dingtalk.com, 回调接口本地调试方案).
const sample = {
  token: "123456",
  encodingAesKey: "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij",
  ownerKey: "suite4xxxxxxxxxxxxxxx",
  signature: "5a65ceeef9aab2d149439f82dc191dd6c5cbe2c0",
  timestamp: "1445827045067",
  nonce: "nEXhMP4r",
  encrypt:
    "1a3NBxmCFwkCJvfoQ7WhJHB+iX3qHPsc9JbaDznE1i03peOk1LaOQoRz3+nlyGNhwmwJ3vDMG+OzrHMeiZI7gTRWVdUBmfxjZ8Ej23JVYa9VrYeJ5as7XM/ZpulX8NEQis44w53h1qAgnC3PRzM7Zc/D6Ibr0rgUathB6zRHP8PYrfgnNOS9PhSBdHlegK+AGGanfwjXuQ9+0pZcy0w9lQ==",
  plain: '{"EventType":"check_create_suite_url","Random":"LPIdSnlF","TestSuiteKey":"suite4xxxxxxxxxxxxxxx"}',
};

const app = { appKey: "ding-app-key", appSecret: "ding-app-secret" };
const corp = { token: "laurel-callback-token", encodingAesKey: sample.encodingAesKey, ownerKey: "dingcorp0001" };
const dingtalk = await startFakeDingTalk(app);
Object.assign(process.env, {
  DINGTALK_CALLBACK_TOKEN: corp.token,
  DINGTALK_AES_KEY: corp.encodingAesKey,
  DINGTALK_OWNER_KEY: corp.ownerKey,
  DINGTALK_APP_KEY: app.appKey,
  DINGTALK_APP_SECRET: app.appSecret,
  DINGTALK_API_BASE_URL: dingtalk.baseUrl,
  DINGTALK_ROOT_UNIT: "tianma",
});
afterAll(() => dingtalk.close());

const admin = await withDemoOrg();
const hr = await as("deng-hua", "hr");
const sender = new DingTalkCallbackCrypto(corp);

/** Posts an event as DingTalk does: encrypted, signed in the query; returns the status and the decrypted answer. */
async function push(event: Record<string, unknown>, tamper = false) {
  const timestamp = String(Date.now());
  const nonce = Math.random().toString(36).slice(2, 10);
  const sealed = sender.encrypt(JSON.stringify({ CorpId: corp.ownerKey, TimeStamp: timestamp, ...event }), timestamp, nonce);
  const signature = tamper ? sealed.msg_signature.replace(/^./, (c) => (c === "0" ? "1" : "0")) : sealed.msg_signature;
  const response = await call("POST", `/integrations/dingtalk/callback?signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`, {
    body: { encrypt: sealed.encrypt },
  });
  const answer =
    response.status === 200
      ? sender.decrypt(response.body.msg_signature, response.body.timeStamp, response.body.nonce, response.body.encrypt)
      : undefined;
  return { status: response.status, answer, body: response.body };
}

const person = async (id: string) => (await admin.get(`/admin/people/${id}`)).body;
const reads = async (reader: string, id: string) => (await (await as(reader, "manager")).get(`/people/${id}/balances`)).status;

describe("DingTalk's callback encryption", () => {
  it("decrypts DingTalk's documented sample and checks its signature", () => {
    const crypto = new DingTalkCallbackCrypto(sample);
    expect(crypto.signature(sample.timestamp, sample.nonce, sample.encrypt)).toBe(sample.signature);
    expect(crypto.decrypt(sample.signature, sample.timestamp, sample.nonce, sample.encrypt)).toBe(sample.plain);
    expect(() => crypto.decrypt(sample.signature.replace("5a", "5b"), sample.timestamp, sample.nonce, sample.encrypt)).toThrow(/signature/);
    expect(() =>
      new DingTalkCallbackCrypto({ ...sample, ownerKey: "another-corp" }).decrypt(
        sample.signature,
        sample.timestamp,
        sample.nonce,
        sample.encrypt,
      ),
    ).toThrow(/another corp/);
  });

  it("answers success encrypted the same way, which DingTalk's side decrypts", () => {
    const crypto = new DingTalkCallbackCrypto(sample);
    const answer = crypto.encrypt("success", sample.timestamp, sample.nonce);
    expect(answer).toMatchObject({ timeStamp: sample.timestamp, nonce: sample.nonce });
    expect(crypto.decrypt(answer.msg_signature, answer.timeStamp, answer.nonce, answer.encrypt)).toBe("success");
  });
});

describe("DingTalk contact changes", () => {
  it("answers the URL check, and refuses a callback whose signature does not match, writing nothing", async () => {
    expect(await push({ EventType: "check_url" })).toMatchObject({ status: 200, answer: "success" });
    dingtalk.departments.set(900, { dept_id: 900, name: "伪造部门", parent_id: 1 });
    expect((await push({ EventType: "org_dept_create", DeptId: [900] }, true)).status).toBe(401);
    expect((await admin.get("/org-units")).body.orgUnits.map((u: { orgUnitId: string }) => u.orgUnitId)).not.toContain("dt-900");
  });

  it("creates departments and people from DingTalk's details, with the DingTalk userid as identity", async () => {
    dingtalk.departments.set(100, { dept_id: 100, name: "华东大区", parent_id: 1 });
    dingtalk.departments.set(110, { dept_id: 110, name: "杭州门店组", parent_id: 100 });
    dingtalk.users.set("zhangsan01", { userid: "zhangsan01", name: "张三", dept_id_list: [110], job_number: "TM-0101" });
    // The user arrives before their department: the department (and the one above it) is read first.
    expect(await push({ EventType: "user_add_org", UserId: ["zhangsan01"] })).toMatchObject({ status: 200, answer: "success" });
    expect((await admin.get("/org-units")).body.orgUnits).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ orgUnitId: "dt-100", name: "华东大区", parentId: "tianma" }),
        expect.objectContaining({ orgUnitId: "dt-110", name: "杭州门店组", parentId: "dt-100" }),
      ]),
    );
    expect(await person("dt-zhangsan01")).toMatchObject({
      name: "张三",
      orgUnitId: "dt-110",
      externalId: "TM-0101",
      identities: { dingtalk: "zhangsan01" },
      tier: "base",
    });
  });

  it("a department's new manager reads its people at once; a user moved away is no longer theirs", async () => {
    dingtalk.users.set("lisi02", { userid: "lisi02", name: "李四", dept_id_list: [110], manager_userid: "zhangsan01" });
    await push({ EventType: "user_add_org", UserId: ["lisi02"] });
    expect(await person("dt-lisi02")).toMatchObject({ managerId: "dt-zhangsan01", orgUnitId: "dt-110" });
    expect(await reads("dt-zhangsan01", "dt-lisi02")).toBe(403);
    dingtalk.departments.set(110, { dept_id: 110, name: "杭州门店组", parent_id: 100, dept_manager_userid_list: ["zhangsan01"] });
    await push({ EventType: "org_dept_modify", DeptId: [110] });
    expect(await reads("dt-zhangsan01", "dt-lisi02")).toBe(200);
    dingtalk.departments.set(120, { dept_id: 120, name: "宁波门店组", parent_id: 100 });
    dingtalk.users.set("lisi02", { userid: "lisi02", name: "李四", dept_id_list: [120] });
    await push({ EventType: "user_modify_org", UserId: ["lisi02"] });
    expect((await person("dt-lisi02")).orgUnitId).toBe("dt-120");
    expect(await reads("dt-zhangsan01", "dt-lisi02")).toBe(403);
  });

  it("a user who left is deactivated, their balance kept for HR; added again, they are back", async () => {
    await admin.post("/awards", { personId: "dt-lisi02", coins: 40, reason: "门店早会" });
    dingtalk.users.delete("lisi02");
    expect(await push({ EventType: "user_leave_org", UserId: ["lisi02"] })).toMatchObject({ status: 200, answer: "success" });
    expect((await person("dt-lisi02")).leftAt).toEqual(expect.any(String));
    expect((await admin.post("/awards", { personId: "dt-lisi02", coins: 1, reason: "x" })).body.code).toBe("person-inactive");
    expect((await hr.get("/people/dt-lisi02/balances")).body.coins).toBe(40);
    dingtalk.users.set("lisi02", { userid: "lisi02", name: "李四", dept_id_list: [120] });
    await push({ EventType: "user_add_org", UserId: ["lisi02"] });
    expect((await person("dt-lisi02")).leftAt).toBeUndefined();
  });

  it("removes an empty department and refuses to orphan people, still answering success so DingTalk stops retrying", async () => {
    dingtalk.departments.delete(110);
    expect(await push({ EventType: "org_dept_remove", DeptId: [110] })).toMatchObject({ status: 200, answer: "success" });
    const units = (await admin.get("/org-units")).body.orgUnits.map((u: { orgUnitId: string }) => u.orgUnitId);
    expect(units).toContain("dt-110");
    dingtalk.departments.set(130, { dept_id: 130, name: "临时组", parent_id: 100 });
    await push({ EventType: "org_dept_create", DeptId: [130] });
    await push({ EventType: "org_dept_remove", DeptId: [130] });
    expect((await admin.get("/org-units")).body.orgUnits.map((u: { orgUnitId: string }) => u.orgUnitId)).not.toContain("dt-130");
    const day = periodKey(new Date(), "day");
    const records = (await admin.get(`/admin/audit?day=${day}&limit=500`)).body.records as {
      actor: string;
      action: string;
      outcome: string;
    }[];
    expect(records).toContainEqual(
      expect.objectContaining({ actor: "provisioner:dingtalk", action: "org-unit.refused", outcome: "org-unit-not-empty" }),
    );
  });
});
