/**
 * A safe laptop: DynamoDB Local, which checks no credentials, is reachable from this machine only,
 * and the local server answers only to loopback names, so that a DNS-rebinding page cannot mint
 * itself a dev admin token from /dev/token.
 */
import { existsSync, readFileSync } from "node:fs";
import { request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDevIssuer } from "../../scripts/local/dev-issuer.ts";
import { startLocalServer } from "../../scripts/local/server.ts";

const dynamoPort = Number(new URL(process.env.DYNAMODB_ENDPOINT as string).port);

const reachable = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once("connect", () => resolve(true));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => resolve(false));
  });

/** The local addresses of this machine's listening TCP sockets on a port, from Linux's /proc. */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return ["/proc/net/tcp", "/proc/net/tcp6"]
    .filter((file) => existsSync(file))
    .flatMap((file) => readFileSync(file, "utf8").split("\n").slice(1))
    .map((line) => line.trim().split(/\s+/))
    .filter(([, local, , state]) => state === "0A" && local?.endsWith(`:${hexPort}`))
    .map(([, local]) => (local as string).split(":")[0] as string);
}

interface Answer {
  status: number;
  body: string;
}

const send = (port: number, host: string, method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
  new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, method, path, headers: { host, "content-type": "application/json", ...headers } },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });

describe("DynamoDB Local", () => {
  it("accepts connections on 127.0.0.1 and refuses them on every other address of this machine", async () => {
    expect(await reachable("127.0.0.1", dynamoPort)).toBe(true);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address && !address.internal && !address.address.startsWith("fe80:"))
      .map((address) => address?.address as string);
    for (const address of others)
      expect({ address, reachable: await reachable(address, dynamoPort) }).toEqual({ address, reachable: false });
    const sockets = listeningAddresses(dynamoPort);
    // 127.0.0.1 as IPv4 (0100007F) or as IPv4-mapped IPv6: never the wildcard address.
    for (const local of sockets) expect(["0100007F", "0000000000000000FFFF00000100007F"]).toContain(local);
    // At least one of the two proofs ran on this machine (no network and no /proc proves nothing).
    expect(others.length + sockets.length).toBeGreaterThan(0);
  });

  it("answers only to loopback Host names, so that a DNS-rebinding page cannot read or write the ledger", async () => {
    const listTables = (host: string) => send(dynamoPort, host, "POST", "/", "{}", { "x-amz-target": "DynamoDB_20120810.ListTables" });
    expect((await listTables(`evil.example:${dynamoPort}`)).status).toBe(421);
    const local = await listTables(`127.0.0.1:${dynamoPort}`);
    expect(local.status).not.toBe(421);
  });
});

describe("the local server", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = await startLocalServer(0, "127.0.0.1", { dev: { issuer: await loadDevIssuer() } });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("refuses a request whose Host is not a loopback name with 421, and mints no token for it", async () => {
    for (const host of ["evil.example", `evil.example:${port}`, `localhost.evil.example:${port}`, `127.0.0.1.nip.io:${port}`]) {
      const minted = await send(port, host, "POST", "/dev/token", JSON.stringify({ personId: "cao-yi" }));
      expect([host, minted.status]).toEqual([host, 421]);
      expect(JSON.parse(minted.body)).toMatchObject({ code: "host-not-allowed", status: 421 });
      expect(minted.body).not.toContain('token":');
      expect((await send(port, host, "GET", "/dev/people")).status).toBe(421);
      expect((await send(port, host, "GET", "/openapi.json")).status).toBe(421);
    }
  });

  it("answers to localhost, 127.0.0.1 and [::1], with or without a port", async () => {
    for (const host of ["localhost", `localhost:${port}`, "127.0.0.1", `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      const minted = await send(port, host, "POST", "/dev/token", JSON.stringify({ personId: "cao-yi" }));
      expect([host, minted.status]).toEqual([host, 200]);
      expect(JSON.parse(minted.body)).toMatchObject({ personId: "cao-yi", roles: ["admin"] });
    }
  });
});
