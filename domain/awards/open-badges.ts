/**
 * A person's badges as Open Badges 3.0 achievement credentials (JSON-LD), so they can be shown
 * outside the company. Unsigned for now: a verifier trusts the export channel, not a proof.
 * A revoked level is still listed, with a revocation status.
 */

import { parseAsset } from "../kernel/model.ts";
import type { LedgerEntry } from "../ledger/index.ts";
import type { BadgeDefinition } from "./badges.ts";

export interface Issuer {
  id: string;
  name: string;
}

export function openBadgeCredentials(
  personId: string,
  entries: readonly LedgerEntry[],
  badges: ReadonlyMap<string, BadgeDefinition>,
  issuer: Issuer,
) {
  const reversals = new Map(entries.filter((e) => e.reverses).map((e) => [e.reverses as string, e]));
  return entries.flatMap((entry) => {
    const asset = parseAsset(entry.asset);
    if (asset.kind !== "badge" || entry.kind === "reversal") return [];
    const badge = badges.get(asset.badgeId);
    const level = badge?.levels.find((l) => l.level === asset.level);
    if (!badge || !level) return [];
    const revocation = reversals.get(entry.entryId);
    return [
      {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        id: `urn:laurel:credential:${entry.entryId}`,
        type: ["VerifiableCredential", "OpenBadgeCredential"],
        issuer: { id: issuer.id, type: ["Profile"], name: issuer.name },
        validFrom: entry.recordedAt,
        name: `${badge.name.zh} · ${level.name.zh}`,
        credentialSubject: {
          id: `urn:laurel:person:${personId}`,
          type: ["AchievementSubject"],
          achievement: {
            id: `urn:laurel:badge:${asset.badgeId}:${asset.level}`,
            type: ["Achievement"],
            name: { zh: `${badge.name.zh} · ${level.name.zh}`, en: `${badge.name.en} · ${level.name.en}` },
            description: badge.description.zh,
            criteria: {
              narrative: level.criteria
                .map((c) =>
                  c.kind === "points" ? `points${c.capability ? ` (${c.capability})` : ""} ≥ ${c.atLeast}` : `${c.ruleId} × ${c.atLeast}`,
                )
                .join("; "),
            },
            image: { id: badge.imageUrl, type: "Image" },
          },
        },
        evidence: [{ id: `urn:laurel:entry:${entry.entryId}`, type: ["Evidence"], narrative: entry.reason }],
        ...(revocation
          ? {
              credentialStatus: {
                id: `urn:laurel:entry:${revocation.entryId}`,
                type: "1EdTechRevocationList",
                statusPurpose: "revocation",
                revoked: true,
                revokedAt: revocation.recordedAt,
                reason: revocation.reason,
              },
            }
          : {}),
      },
    ];
  });
}
