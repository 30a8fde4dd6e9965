/** Notices to the people who decide: review items opened and awards a budget held, from plain values. */
import { describe, expect, it } from "vitest";
import type { Person } from "../../domain/directory/index.ts";
import type { OrgUnitId, PersonId, Role } from "../../domain/kernel/model.ts";
import { approverNotices, deliveriesOf, groupLine, type Notice, personalMessage, personChannel } from "../../domain/notifications/index.ts";

const person = (personId: string, roles: Role[], leftAt?: string): Person =>
  ({
    personId: personId as PersonId,
    name: personId,
    tier: "middle",
    tierSince: "2024-01-01",
    orgUnitId: "tianma" as OrgUnitId,
    roles,
    ...(leftAt ? { leftAt } : {}),
  }) as Person;
const directory = [
  person("jiang-wen", ["approver", "manager"]),
  person("chen-jian", ["admin"]),
  person("peng-li", ["finance"]),
  person("liu-yang", ["manager"]),
  person("old-approver", ["approver"], "2026-01-01"),
  person("huang-tao", ["approver"]),
];
const opened = {
  flagId: "person-velocity:huang-tao:2026-12-01",
  detector: "person-velocity",
  people: ["huang-tao" as PersonId],
  raisedAt: "2026-12-01T08:00:00.000Z",
  explained: { zh: "今日获奖事件 21 次，是近 28 天日均的 10 倍。", en: "21 awarding events today, 10 times the 28-day mean." },
};
const held = {
  budgetId: "store-east_2026-12",
  personId: "liu-yang" as PersonId,
  sourceId: "tianma-learning",
  eventId: "e-42",
  heldAt: "2026-12-01T09:00:00.000Z",
};

describe("notices to approvers", () => {
  it("tells every active approver and admin of a review item once, never the person it is about, with the detector, its explanation and a link", () => {
    const notices = approverNotices([opened], [], directory);
    expect(notices.map((n) => n.personId)).toEqual(["jiang-wen", "chen-jian"]);
    expect(new Set(notices.map((n) => n.causeId))).toEqual(new Set([`review#${opened.flagId}`]));
    const first = notices[0] as Notice;
    expect(first.data).toMatchObject({ kind: "review-opened", detector: "person-velocity", people: ["huang-tao"] });
    const zh = personalMessage(first.data, "zh");
    expect(zh.title).toBe("防刷分审查待处理");
    expect(zh.text).toContain("今日获奖事件 21 次");
    expect(zh.text).toContain("/admin/reviews/person-velocity%3Ahuang-tao%3A2026-12-01");
    const en = personalMessage(first.data, "en");
    expect(en.text).toContain("The person-velocity detector flagged huang-tao: 21 awarding events today");
  });

  it("tells approvers, finance and admins of an award a budget held, not the person it pays, linking the budget's held awards", () => {
    const notices = approverNotices([], [held], directory);
    expect(notices.map((n) => n.personId)).toEqual(["jiang-wen", "chen-jian", "peng-li", "huang-tao"]);
    expect(notices[0]).toMatchObject({ causeId: "budget-held#tianma-learning#e-42", at: held.heldAt });
    const text = personalMessage((notices[0] as Notice).data, "en").text;
    expect(text).toContain("An award to liu-yang (source tianma-learning, event e-42) was held: budget store-east_2026-12");
    expect(text).toContain("/budgets/store-east/2026-12/held-awards");
  });

  it("gives the same notices for the same items read again (a retried stream batch), and none without readers", () => {
    expect(approverNotices([opened], [held], directory)).toEqual(approverNotices([opened], [held], directory));
    expect(approverNotices([opened], [held], [person("liu-yang", ["manager"])])).toEqual([]);
  });

  it("sends them to the reader's own channel and to webhooks subscribed, never to a group robot", () => {
    const notice = approverNotices([opened], [], directory)[0] as Notice;
    const channel = (channelId: string, kind: "webhook" | "dingtalk-robot") => ({
      channelId,
      kind,
      kinds: ["review-opened" as const],
      sealed: "",
      language: "zh" as const,
      active: true,
      updatedAt: "",
    });
    const deliveries = deliveriesOf(notice, [channel("oa", "webhook"), channel("group", "dingtalk-robot")], true);
    expect(deliveries.map((d) => d.channelId)).toEqual([personChannel, "oa"]);
    expect(groupLine(notice, "蒋文", "zh")).toBeUndefined();
  });
});
