/**
 * The words of the domain (docs/GLOSSARY.md): capabilities, tiers, roles, assets, accounts.
 * Everything here is plain data; zod schemas that validate input live beside it in schemas.ts.
 */

/** Three tiers, nine capabilities (三阶九力). Order is the order of the radar on the page. */
export const capabilitiesByTier = {
  senior: ["strategic-planning", "resource-integration", "platform-governance"],
  middle: ["system-integration", "technology-fusion", "data-assurance"],
  base: ["tool-operation", "efficient-execution", "growth-driving"],
} as const;

export type Tier = keyof typeof capabilitiesByTier;
export type Capability = (typeof capabilitiesByTier)[Tier][number];

export const tiers = Object.keys(capabilitiesByTier) as Tier[];
export const capabilities: readonly Capability[] = tiers.flatMap((tier) => capabilitiesByTier[tier]);

export const capabilityNames: Record<Capability, { zh: string; en: string }> = {
  "strategic-planning": { zh: "战略规划", en: "Strategic planning" },
  "resource-integration": { zh: "资源整合", en: "Resource integration" },
  "platform-governance": { zh: "平台治理", en: "Platform governance" },
  "system-integration": { zh: "系统打通", en: "System integration" },
  "technology-fusion": { zh: "技术融合", en: "Technology fusion" },
  "data-assurance": { zh: "数据保障", en: "Data assurance" },
  "tool-operation": { zh: "工具实操", en: "Tool operation" },
  "efficient-execution": { zh: "高效执行", en: "Efficient execution" },
  "growth-driving": { zh: "驱动增长", en: "Growth driving" },
};

export const roles = ["manager", "hr", "admin", "finance", "approver"] as const;
export type Role = (typeof roles)[number];

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type PersonId = Brand<string, "PersonId">;
export type OrgUnitId = Brand<string, "OrgUnitId">;
export type EntryId = Brand<string, "EntryId">;

/**
 * What an entry moves. Points carry their capability in the asset itself, and a badge level is
 * its own asset, so that one fold (add to `to`, take from `from`) serves every kind of value.
 */
export type AssetKey = "coin" | `point:${Capability}` | `badge:${string}:${number}` | `money:${string}`;

export type ParsedAsset =
  | { kind: "coin" }
  | { kind: "point"; capability: Capability }
  | { kind: "badge"; badgeId: string; level: number }
  /** Money of a fund pool, in integer minor units of the currency (fen for CNY). */
  | { kind: "money"; currency: string };

export function assetKey(asset: ParsedAsset): AssetKey {
  switch (asset.kind) {
    case "coin":
      return "coin";
    case "point":
      return `point:${asset.capability}`;
    case "badge":
      return `badge:${asset.badgeId}:${asset.level}`;
    case "money":
      return `money:${asset.currency}`;
  }
}

export function parseAsset(key: AssetKey): ParsedAsset {
  const [kind, a, b] = key.split(":");
  if (kind === "point") return { kind, capability: a as Capability };
  if (kind === "badge") return { kind, badgeId: a as string, level: Number(b) };
  if (kind === "money") return { kind, currency: a as string };
  return { kind: "coin" };
}

/**
 * Accounts: one per person per asset (the asset is on the entry, so the account names only the
 * holder), and system accounts. System balances are never stored: they are derived as minus the
 * sum of everything else (see docs/ARCHITECTURE.md, "hot accounts").
 */
export type AccountId = `person:${string}` | `system:${SystemAccount}` | `fund:${string}`;
export const systemAccounts = ["issuer", "penalties", "redemptions", "budget"] as const;
export type SystemAccount = (typeof systemAccounts)[number];

export const personAccount = (personId: PersonId): AccountId => `person:${personId}`;
export const systemAccount = (name: SystemAccount): AccountId => `system:${name}`;
/** A fund pool's account (its available money) and the holder of its chain. */
export const fundAccount = (fundId: string): AccountId => `fund:${fundId}`;
/** A chain holder's sub-account of reserved (pending) value: kept in the holder's own chain. */
export const reservedAccount = (holder: AccountId): AccountId => `${holder}:reserved` as AccountId;
