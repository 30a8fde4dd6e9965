/**
 * Roles that move value or read everyone's HR data are held only by someone who signs in with a
 * second factor (docs/SECURITY.md). Cognito cannot require MFA of some groups only, so the
 * token is where it is enforced: a privileged group goes into a token only for a user who has a
 * second factor activated (Cognito then asks for it at every sign-in). Without one, the person
 * signs in with their other roles: as a manager, not as an admin.
 */
import type { Role } from "../kernel/model.ts";

export const rolesNeedingSecondFactor: readonly Role[] = ["admin", "finance", "approver"];

const privileged = (group: string) => (rolesNeedingSecondFactor as readonly string[]).includes(group);

/** Whether a token for these groups needs to know about the user's second factor at all (most people's does not). */
export const needsSecondFactor = (groups: readonly string[]): boolean => groups.some(privileged);

/** The groups the token carries: every one with a second factor; without one, none of the privileged. */
export function groupsToGrant(groups: readonly string[], hasSecondFactor: boolean): string[] {
  return hasSecondFactor ? [...groups] : groups.filter((group) => !privileged(group));
}
