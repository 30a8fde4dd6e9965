import { describe, expect, it } from "vitest";
import { assertMayJudge, type Bounty, checkTeam, shownStatus, type Team } from "../../domain/bounties/index.ts";
import { OrgTree } from "../../domain/directory/index.ts";
import type { DomainError } from "../../domain/kernel/errors.ts";
import type { OrgUnitId, PersonId } from "../../domain/kernel/model.ts";

const id = <T extends string>(s: string) => s as T;
const tree = new OrgTree([
  { orgUnitId: id<OrgUnitId>("retail"), name: "零售", kind: "group" },
  { orgUnitId: id<OrgUnitId>("east"), name: "华东", kind: "team", parentId: id<OrgUnitId>("retail"), leadId: id<PersonId>("liu") },
  { orgUnitId: id<OrgUnitId>("south"), name: "华南", kind: "team", parentId: id<OrgUnitId>("retail"), leadId: id<PersonId>("xu") },
]);

const team = (over: Partial<Team> = {}): Team => ({
  teamId: "team-1",
  lead: id("liu"),
  leadUnit: id("east"),
  members: [{ personId: id("yang"), name: "杨雪", share: 100 }],
  status: "delivered",
  takenAt: "2026-11-01T00:00:00Z",
  decisions: [],
  ...over,
});

const bounty = (over: Partial<Bounty> = {}): Bounty => ({
  bountyId: "b1",
  title: { zh: "难题", en: "Problem" },
  description: { zh: "描述", en: "Description" },
  capability: "data-assurance",
  reward: { coins: 100, points: 0 },
  deadline: "2026-12-31T00:00:00.000Z",
  maxTeams: 1,
  poster: id("admin"),
  posterUnit: id("retail"),
  postedAt: "2026-11-01T00:00:00Z",
  status: "open",
  teams: [],
  rewardEntryIds: [],
  updatedAt: "2026-11-01T00:00:00Z",
  version: 1,
  steps: 1,
  ...over,
});

const codeOf = (run: () => void) => {
  try {
    run();
    return "accepted";
  } catch (error) {
    return (error as DomainError).code;
  }
};

const member = (personId: string, orgUnitId: string | undefined, share: number) => ({
  personId: id<PersonId>(personId),
  orgUnitId: orgUnitId as OrgUnitId | undefined,
  share,
});

describe("a task team", () => {
  it("is the lead's own people with shares adding up to 100", () => {
    expect(codeOf(() => checkTeam(bounty(), id("liu"), [member("yang", "east", 70), member("liu", "east", 30)], tree))).toBe("accepted");
  });

  it("is refused when shares do not add up, someone is not the lead's, named twice, unknown, or the poster", () => {
    const take = (members: ReturnType<typeof member>[], over: Partial<Bounty> = {}) =>
      codeOf(() => checkTeam(bounty(over), id("liu"), members, tree));
    expect(take([member("yang", "east", 60), member("huang", "east", 30)])).toBe("shares-do-not-add-up");
    expect(take([member("ma", "south", 100)])).toBe("team-member-not-yours");
    expect(take([member("yang", "east", 50), member("yang", "east", 50)])).toBe("team-member-duplicate");
    expect(take([member("ghost", undefined, 100)])).toBe("team-member-unknown");
    expect(take([member("yang", "east", 100)], { poster: id("yang") })).toBe("poster-in-team");
  });

  it("is refused once the bounty has all its teams, or the lead or a member already has one", () => {
    const taken = { teams: [team({ lead: id("xu"), leadUnit: id("south"), members: [{ personId: id("ma"), name: "马超", share: 100 }] })] };
    expect(codeOf(() => checkTeam(bounty(taken), id("liu"), [member("yang", "east", 100)], tree))).toBe("bounty-full");
    expect(codeOf(() => checkTeam(bounty({ ...taken, maxTeams: 2 }), id("xu"), [member("hu", "south", 100)], tree))).toBe("already-taken");
  });
});

describe("judging a delivery", () => {
  it("is the poster's, never a team member's or the team lead's", () => {
    expect(codeOf(() => assertMayJudge(bounty(), team(), id("admin")))).toBe("accepted");
    expect(codeOf(() => assertMayJudge(bounty(), team(), id("yang")))).toBe("self-judgement");
    expect(codeOf(() => assertMayJudge(bounty(), team(), id("liu")))).toBe("self-judgement");
    expect(codeOf(() => assertMayJudge(bounty(), team(), id("xu")))).toBe("not-the-poster");
    expect(codeOf(() => assertMayJudge(bounty(), team({ status: "working" }), id("admin")))).toBe("no-delivery-pending");
  });
});

it("an open bounty past its deadline shows as expired; a done one stays done", () => {
  expect(shownStatus(bounty(), "2027-01-01T00:00:00Z")).toBe("expired");
  expect(shownStatus(bounty({ status: "done" }), "2027-01-01T00:00:00Z")).toBe("done");
  expect(shownStatus(bounty(), "2026-12-01T00:00:00Z")).toBe("open");
});
