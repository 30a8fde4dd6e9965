/**
 * Traces as operators expect them: in Lambda, Powertools Tracer records a subsegment for the
 * handler and one for every DynamoDB call, under the invocation's trace, with no response body
 * (names) and no token on them. A UDP socket stands in for the X-Ray daemon; the X-Ray SDK comes
 * from node_modules here, from the layer lib/ builds in AWS (checked below as well).
 */
import { execFile } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { buildXRaySdk } from "../../lib/constructs/xray-layer.ts";
import { as } from "../support/api.ts";
import { withDemoOrg } from "../support/org.ts";

await withDemoOrg();

interface Subsegment {
  name: string;
  id: string;
  parent_id?: string;
  trace_id: string;
  namespace?: string;
  aws?: { operation?: string; table_name?: string };
}

/** Runs one request in a child process traced as in Lambda; the subsegments the daemon received, and their raw text. */
async function tracedRequest(url: string, token: string) {
  const daemon = createSocket("udp4");
  const datagrams: string[] = [];
  daemon.on("message", (message) => datagrams.push(message.toString()));
  await new Promise<void>((resolve) => daemon.bind(0, "127.0.0.1", resolve));
  const traceRoot = `1-${Math.floor(Date.now() / 1000).toString(16)}-${"0".repeat(16)}${Math.floor(Math.random() * 0xffffffff)
    .toString(16)
    .padStart(8, "0")}`;
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [join(import.meta.dirname, "..", "support", "traced-request.ts"), url], {
      env: {
        ...process.env,
        LAUREL_TOKEN: token,
        AWS_EXECUTION_ENV: "AWS_Lambda_nodejs24.x",
        AWS_LAMBDA_FUNCTION_NAME: "laurel-ledger",
        LAMBDA_TASK_ROOT: "/var/task",
        _HANDLER: "index.handler",
        _X_AMZN_TRACE_ID: `Root=${traceRoot};Parent=53995c3f42cd8ad8;Sampled=1`,
        AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${(daemon.address() as { port: number }).port}`,
        AWS_XRAY_LOG_LEVEL: "silent",
      },
    });
    // The subsegments are sent as each closes, before the child exits; give the socket a moment to read them.
    const deadline = Date.now() + 5_000;
    while (!datagrams.some((d) => d.includes("## index.handler")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const subsegments = datagrams.map((d) => JSON.parse(d.slice(d.indexOf("\n") + 1)) as Subsegment);
    return { status: stdout, traceRoot, subsegments, raw: datagrams.join("\n") };
  } finally {
    daemon.close();
  }
}

describe("traces", () => {
  it("hold the handler's subsegment and one per DynamoDB call, under the invocation's trace, without names or tokens", async () => {
    const manager = await as("liu-yang", "manager");
    const { status, traceRoot, subsegments, raw } = await tracedRequest("/people/liu-yang/balances", manager.token);
    expect(status).toBe("200");
    const handler = subsegments.find((s) => s.name === "## index.handler");
    expect(handler).toBeDefined();
    const calls = subsegments.filter((s) => s.name === "DynamoDB");
    expect(calls.map((s) => s.aws?.operation)).toContain("BatchGetItem");
    for (const call of calls) expect(call).toMatchObject({ namespace: "aws", trace_id: traceRoot, parent_id: handler?.id });
    expect(raw).not.toContain("刘洋");
    expect(raw).not.toContain(manager.token.slice(-24));
  });

  it("come from the X-Ray SDK layer lib/ builds for every function, which loads and instruments a client", () => {
    const dir = mkdtempSync(join(tmpdir(), "laurel-xray-layer-"));
    try {
      buildXRaySdk(join(dir, "nodejs", "node_modules"));
      const sdk = createRequire(join(dir, "nodejs", "node_modules", "index.js"))("aws-xray-sdk-core");
      expect(typeof sdk.captureAWSv3Client).toBe("function");
      expect(typeof sdk.getSegment).toBe("function");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
