/**
 * Compressed answers, as API Gateway passes them on: a history page of 1 KB or more comes back
 * in the coding the request accepts (brotli first, else gzip) and reads as the same JSON; a
 * small answer, and any answer to a request accepting no coding we send, comes back plain.
 */
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { negotiatedCoding } from "../../functions/http/compression.ts";
import { dispatch } from "../../scripts/local/api.ts";
import type { Client } from "../support/api.ts";
import { withDemoDefinitions } from "../support/org.ts";

let admin: Client;
beforeAll(async () => {
  ({ admin } = await withDemoDefinitions());
  for (let i = 1; i <= 15; i++) await admin.post("/awards", { personId: "hu-yan", coins: i, reason: `完成第 ${i} 门课程` });
});

const history = "/people/hu-yan/ledger?limit=15";
const get = (url: string, acceptEncoding?: string) =>
  dispatch({
    method: "GET",
    url,
    headers: { authorization: `Bearer ${admin.token}`, ...(acceptEncoding === undefined ? {} : { "accept-encoding": acceptEncoding }) },
  });

describe("compressed answers", () => {
  it("a history page comes back in brotli or gzip as the request allows, and decodes to the very JSON sent plain", async () => {
    const plain = await get(history);
    expect(plain.isBase64Encoded).toBeFalsy();
    expect(plain.headers).toMatchObject({ vary: "Accept-Encoding" });
    expect(plain.headers?.["content-encoding"]).toBeUndefined();
    const text = plain.body as string;
    expect(Buffer.byteLength(text)).toBeGreaterThan(1024);
    expect(JSON.parse(text).entries).toHaveLength(15);

    const browser = await get(history, "gzip, deflate, br, zstd");
    expect(browser).toMatchObject({
      statusCode: 200,
      isBase64Encoded: true,
      headers: { "content-encoding": "br", vary: "Accept-Encoding" },
    });
    const brotli = Buffer.from(browser.body as string, "base64");
    expect(brotliDecompressSync(brotli).toString("utf8")).toBe(text);
    expect(brotli.byteLength).toBeLessThan(Buffer.byteLength(text) / 3);

    const older = await get(history, "gzip;q=1.0, identity; q=0.5, br;q=0");
    expect(older.headers).toMatchObject({ "content-encoding": "gzip", "content-type": "application/json" });
    expect(gunzipSync(Buffer.from(older.body as string, "base64")).toString("utf8")).toBe(text);
  });

  it("a small answer, and a big one to a request accepting neither coding, come back plain", async () => {
    const balances = await get("/people/hu-yan/balances", "gzip, br");
    expect(balances.isBase64Encoded).toBeFalsy();
    expect(balances.headers?.["content-encoding"]).toBeUndefined();
    expect(JSON.parse(balances.body as string).personId).toBe("hu-yan");
    for (const refusing of ["identity", "deflate", "br;q=0, gzip;q=0", "*;q=0"]) {
      const answer = await get(history, refusing);
      expect(answer.headers?.["content-encoding"]).toBeUndefined();
      expect(JSON.parse(answer.body as string).entries).toHaveLength(15);
    }
  });

  it("a problem of 1 KB or more is compressed too, and the tests' client reads it as JSON", async () => {
    const wrong = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`field${i}`, "x".repeat(20)]));
    const refused = await get(`/people/hu-yan/ledger?${new URLSearchParams(wrong)}`, "gzip");
    expect(refused).toMatchObject({ statusCode: 400, headers: { "content-encoding": "gzip", "content-type": "application/problem+json" } });
    expect(JSON.parse(gunzipSync(Buffer.from(refused.body as string, "base64")).toString("utf8"))).toMatchObject({ status: 400 });
  });

  it("negotiates as RFC 9110 says: brotli first, q=0 refuses, * stands for the codings not named", () => {
    expect(negotiatedCoding(undefined)).toBeUndefined();
    expect(negotiatedCoding("")).toBeUndefined();
    expect(negotiatedCoding("GZIP")).toBe("gzip");
    expect(negotiatedCoding("*")).toBe("br");
    expect(negotiatedCoding("br;q=0, *")).toBe("gzip");
    expect(negotiatedCoding("gzip;q=0.001")).toBe("gzip");
    expect(negotiatedCoding("gzip;q=zero")).toBeUndefined();
  });
});
