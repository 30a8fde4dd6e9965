import { Bitstring } from "@digitalbazaar/bitstring";
import { createLocalJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from "jose";
import type { PersonId } from "../../domain/kernel/model.ts";
import { personAccount } from "../../domain/kernel/model.ts";
import type { LedgerEntry } from "../../domain/ledger/index.ts";
import { type StoredChain, verifyLedger } from "../../domain/ledger/index.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { DynamoLedgerStore } from "../../functions/dynamo/ledger-store.ts";
import { demoPeople } from "../../scripts/demo-data.ts";
import { dispatch, dispatchJson } from "../../scripts/local/api.ts";
import { tableNames } from "./env.ts";

export const store = new DynamoLedgerStore(createDocumentClient(), tableNames);

export async function storedChain(personId: string): Promise<StoredChain> {
  const holder = personAccount(personId as PersonId);
  const entries: LedgerEntry[] = [];
  for await (const entry of store.readChain(holder)) entries.push(entry);
  const { chain } = await store.readPerson(personId as PersonId);
  return { holder, entries, projection: chain.seq === 0 ? undefined : chain };
}

/** Every invariant over the demo people's chains, read straight from DynamoDB Local. */
export async function ledgerProblems(people: readonly string[] = demoPeople.map((p) => p.personId)) {
  return verifyLedger(await Promise.all(people.map(storedChain)));
}

/**
 * A JWT the API signed, checked as a verifier outside the company does, with `jose`: against the
 * key its `kid` names in the JWK Set the API publishes, from the issuer the credentials name.
 */
export async function verifiedJwt(jwt: string): Promise<JWTPayload> {
  const keys = await dispatchJson({ method: "GET", url: new URL(decodeProtectedHeader(jwt).kid as string).pathname });
  const issuer = `${process.env.PUBLIC_API_URL}/badges/issuer`;
  return (await jwtVerify(jwt, createLocalJWKSet(keys.body), { issuer, typ: "JWT", algorithms: ["ES256"] })).payload;
}

/**
 * Bits of a published revocation list (W3C Bitstring Status List): the signed list fetched from
 * its URL, verified, and decoded by Digital Bazaar's `@digitalbazaar/bitstring`.
 */
export async function revocationBits(statusListUrl: string, indices: readonly number[]): Promise<boolean[]> {
  const answer = await dispatch({ method: "GET", url: new URL(statusListUrl).pathname });
  if (answer.statusCode !== 200 || answer.headers?.["content-type"] !== "application/vc+jwt") {
    throw new Error(`status list ${statusListUrl}: ${answer.statusCode} ${answer.headers?.["content-type"]}`);
  }
  const list = (await verifiedJwt(String(answer.body))) as { credentialSubject?: { encodedList?: string; statusPurpose?: string } };
  const { encodedList = "", statusPurpose } = list.credentialSubject ?? {};
  if (statusPurpose !== "revocation" || !encodedList.startsWith("u")) throw new Error(`not a revocation list: ${statusPurpose}`);
  const buffer = await Bitstring.decodeBits({ encoded: encodedList.slice(1) });
  if (buffer.length * 8 < 131_072) throw new Error(`a list of ${buffer.length * 8} bits, fewer than W3C's 131,072`);
  const bits = new Bitstring({ buffer });
  return indices.map((index) => bits.get(index));
}
