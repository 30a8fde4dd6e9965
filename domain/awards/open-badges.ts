/**
 * A person's badges as Open Badges 3.0 credentials (W3C VC Data Model 2.0, 1EdTech's context
 * 3.0.3), to be signed as VC-JWT by the issuer's key (the `CredentialSigner` port) so that anyone
 * outside the company can verify them against the keys published at the issuer's URLs. A badge
 * level is entry `seq` of its holder's chain, so its revocation status is bit `seq` of the
 * holder's Bitstring Status List (W3C): set when the level was reversed (revoked by an admin, or
 * its event retracted). The list is folded from the chain when it is read, so it can never
 * disagree with the ledger, however a revocation's write failed.
 */
import { gzipSync } from "node:zlib";
import { parseAsset } from "../kernel/model.ts";
import type { LedgerEntry } from "../ledger/index.ts";
import type { BadgeDefinition } from "./badges.ts";

/** Where the issuer publishes itself: its profile, its public keys and the status lists. */
export interface IssuerUrls {
  /** The API's base URL, e.g. https://api.example.com */
  base: string;
  name: string;
}

const contexts = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"];
/** W3C's minimum, so that one set bit does not single a credential out (herd privacy). */
const minimumListBits = 131_072;

export const issuerId = (issuer: IssuerUrls) => `${issuer.base}/badges/issuer`;
export const statusListUrl = (issuer: IssuerUrls, personId: string) => `${issuer.base}/badges/status/${encodeURIComponent(personId)}`;

/** The issuer's Open Badges profile, served at its own id. */
export const issuerProfile = (issuer: IssuerUrls) => ({
  "@context": contexts,
  id: issuerId(issuer),
  type: ["Profile"],
  name: issuer.name,
  url: issuer.base,
});

export interface BadgeCredential {
  credential: ReturnType<typeof credentialOf>;
  /** Whether a verifier finds it revoked in the status list, and since when. */
  revokedAt?: string;
}

/** Every badge level a chain's entries gave, as a credential, revoked ones included. */
export function openBadgeCredentials(
  personId: string,
  entries: readonly LedgerEntry[],
  badges: ReadonlyMap<string, BadgeDefinition>,
  issuer: IssuerUrls,
): BadgeCredential[] {
  const reversals = new Map(entries.filter((e) => e.reverses).map((e) => [e.reverses as string, e]));
  return entries.flatMap((entry) => {
    const asset = parseAsset(entry.asset);
    if (asset.kind !== "badge" || entry.kind === "reversal") return [];
    const badge = badges.get(asset.badgeId);
    const level = badge?.levels.find((l) => l.level === asset.level);
    if (!badge || !level) return [];
    const revokedAt = reversals.get(entry.entryId)?.recordedAt;
    return [
      {
        credential: credentialOf(personId, entry, { ...badge, badgeId: asset.badgeId }, level, issuer),
        ...(revokedAt ? { revokedAt } : {}),
      },
    ];
  });
}

function credentialOf(
  personId: string,
  entry: LedgerEntry,
  badge: BadgeDefinition & { badgeId: string },
  level: BadgeDefinition["levels"][number],
  issuer: IssuerUrls,
) {
  const statusList = statusListUrl(issuer, personId);
  return {
    "@context": contexts,
    id: `urn:laurel:credential:${entry.entryId}`,
    type: ["VerifiableCredential", "OpenBadgeCredential"],
    issuer: { id: issuerId(issuer), type: ["Profile"], name: issuer.name },
    validFrom: entry.recordedAt,
    name: `${badge.name.zh} · ${level.name.zh}`,
    credentialSubject: {
      id: `urn:laurel:person:${personId}`,
      type: ["AchievementSubject"],
      achievement: {
        id: `urn:laurel:badge:${badge.badgeId}:${level.level}`,
        type: ["Achievement"],
        name: `${badge.name.zh} · ${level.name.zh}`,
        description: `${badge.description.zh} (${badge.name.en} · ${level.name.en})`,
        criteria: { narrative: criteriaNarrative(level) },
        image: { id: badge.imageUrl, type: "Image" },
        inLanguage: "zh-CN",
      },
    },
    evidence: [{ id: `urn:laurel:entry:${entry.entryId}`, type: ["Evidence"], narrative: entry.reason }],
    credentialStatus: {
      id: `${statusList}#${entry.seq}`,
      type: "BitstringStatusListEntry",
      statusPurpose: "revocation",
      statusListIndex: String(entry.seq),
      statusListCredential: statusList,
    },
  };
}

const criteriaNarrative = (level: BadgeDefinition["levels"][number]) =>
  level.criteria
    .map((c) => (c.kind === "points" ? `points${c.capability ? ` (${c.capability})` : ""} ≥ ${c.atLeast}` : `${c.ruleId} × ${c.atLeast}`))
    .join("; ");

/**
 * The holder's revocation list as a Bitstring Status List credential: bit i (the most significant
 * bit of the first byte is bit 0) set when entry i of the chain is a badge level since reversed;
 * GZIP-compressed, base64url-encoded, with the multibase "u" prefix.
 */
export function statusListCredential(personId: string, entries: readonly LedgerEntry[], issuer: IssuerUrls, validFrom: string) {
  const badgeSeqs = new Map(entries.filter((e) => e.asset.startsWith("badge:") && e.kind !== "reversal").map((e) => [e.entryId, e.seq]));
  const revoked = entries.flatMap((e) => (e.reverses && badgeSeqs.has(e.reverses) ? [badgeSeqs.get(e.reverses) as number] : []));
  const lastSeq = entries.at(-1)?.seq ?? 0;
  const bits = new Uint8Array(Math.ceil((lastSeq + 1) / minimumListBits) * (minimumListBits / 8));
  for (const seq of revoked) bits[seq >> 3] = (bits[seq >> 3] as number) | (0x80 >> (seq & 7));
  const id = statusListUrl(issuer, personId);
  return {
    "@context": [contexts[0]],
    id,
    type: ["VerifiableCredential", "BitstringStatusListCredential"],
    issuer: issuerId(issuer),
    validFrom,
    credentialSubject: {
      id: `${id}#list`,
      type: "BitstringStatusList",
      statusPurpose: "revocation",
      encodedList: `u${gzipSync(bits).toString("base64url")}`,
    },
  };
}
