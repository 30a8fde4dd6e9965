/**
 * Provisioning clients (an HR system speaking SCIM): each has its own bearer credential, good for
 * SCIM only, kept as a hash. Rotating adds a new credential and keeps the previous one, so that
 * two are valid while the client switches over; the one before that stops working.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { UnauthenticatedError } from "../kernel/errors.ts";

export interface ProvisionerCredential {
  credentialId: string;
  /** SHA-256 of the whole token, base64url. */
  hash: string;
  createdAt: string;
  createdBy: string;
}

export interface Provisioner {
  clientId: string;
  /** Newest first, at most two. */
  credentials: ProvisionerCredential[];
  version: number;
}

const prefix = "laurel_scim";
const hashOf = (token: string) => createHash("sha256").update(token).digest("base64url");

/** A new credential for the client: the token (shown once) and the provisioner as it is to be stored. */
export function rotateCredential(
  clientId: string,
  before: Provisioner | undefined,
  by: { actor: string; at: string; credentialId: string },
): { token: string; provisioner: Provisioner } {
  const token = `${prefix}.${clientId}.${by.credentialId}.${randomBytes(32).toString("base64url")}`;
  const credential = { credentialId: by.credentialId, hash: hashOf(token), createdAt: by.at, createdBy: by.actor };
  const credentials = [credential, ...(before?.credentials ?? [])].slice(0, 2);
  return { token, provisioner: { clientId, credentials, version: (before?.version ?? 0) + 1 } };
}

/** The client id a presented token claims (to find its provisioner), or a 401. */
export function claimedClient(authorization: string | undefined): { clientId: string; token: string } {
  const token = /^Bearer (\S+)$/i.exec(authorization ?? "")?.[1] ?? "";
  const [scheme, clientId] = token.split(".");
  if (scheme !== prefix || !clientId)
    throw new UnauthenticatedError("Send the provisioning client's bearer token.", { challenge: 'Bearer realm="laurel"' });
  return { clientId, token };
}

/** Which of the provisioner's credentials the token is, or a 401. */
export function verifyCredential(provisioner: Provisioner | undefined, token: string): ProvisionerCredential {
  const presented = Buffer.from(hashOf(token));
  const match = provisioner?.credentials.find((c) => {
    const stored = Buffer.from(c.hash);
    return stored.length === presented.length && timingSafeEqual(stored, presented);
  });
  if (!match) throw new UnauthenticatedError("The provisioning credential is not valid (revoked, rotated out, or never issued).");
  return match;
}
