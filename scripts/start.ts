/**
 * `npm start`: DynamoDB Local (data kept in .laurel/dynamodb unless --fresh), the tables, the
 * demo enterprise, and the API on http://127.0.0.1:3000 served by the Lambda handlers, throttled
 * as the dev stage is. `npm start -- --bundled` serves them from the esbuild bundles lib/ deploys.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createDynamoClient } from "../functions/dynamo/client.ts";
import { stageConfig } from "../lib/stage.ts";
import { buildWeb } from "./build-web.ts";
import {
  demoAdmin,
  demoPeople,
  loadDemoAwards,
  loadDemoDefinitions,
  loadDemoEvents,
  loadDemoFund,
  loadDemoIndices,
  loadDemoOrg,
} from "./demo-data.ts";
import { devAuthEnv, loadDevIssuer } from "./local/dev-issuer.ts";
import { createTables, startDynamoLocal } from "./local/dynamo.ts";
import { buildBundles, lambdaContext, loadHandler } from "./local/lambda.ts";
import { LocalSqs } from "./local/sqs.ts";

const root = join(import.meta.dirname, "..");
const stateDir = join(root, ".laurel");
const dataDir = join(stateDir, "dynamodb");
const fresh = process.argv.includes("--fresh");
const bundled = process.argv.includes("--bundled");
const port = Number(process.env.PORT ?? 3000);

if (fresh) rmSync(dataDir, { recursive: true, force: true });
const firstRun = !existsSync(dataDir);
mkdirSync(dataDir, { recursive: true });

const dynamo = await startDynamoLocal({ dbPath: dataDir, port: Number(process.env.DYNAMODB_PORT ?? 8000) }).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
const tableNames = { ledger: "laurel-ledger", state: "laurel-state" };
const issuer = await loadDevIssuer(join(stateDir, "dev-issuer.json"));
// Seals the demo sources' signing secrets, as the Secrets Manager key does in AWS.
const secretKeyFile = join(stateDir, "secret-key");
if (!existsSync(secretKeyFile)) writeFileSync(secretKeyFile, randomBytes(32).toString("base64"), { mode: 0o600 });
// Seeds the key that signs badge credentials, as the Secrets Manager key does in AWS.
const badgeKeyFile = join(stateDir, "badge-key");
if (!existsSync(badgeKeyFile)) writeFileSync(badgeKeyFile, randomBytes(32).toString("base64"), { mode: 0o600 });
Object.assign(process.env, {
  DYNAMODB_ENDPOINT: dynamo.endpoint,
  AWS_REGION: "local",
  LEDGER_TABLE: tableNames.ledger,
  STATE_TABLE: tableNames.state,
  LAUREL_SECRET_KEY: readFileSync(secretKeyFile, "utf8"),
  LAUREL_BADGE_KEY: readFileSync(badgeKeyFile, "utf8"),
  ...devAuthEnv(issuer),
});
await createTables(createDynamoClient(), tableNames);
// The delivery queue of notifications, as SQS is in AWS: before any handler reads its address.
const deliveryQueue = await LocalSqs.start();
Object.assign(process.env, { SQS_ENDPOINT: deliveryQueue.endpoint, DELIVERY_QUEUE_URL: deliveryQueue.queueUrl });
if (bundled) {
  const bundles = join(stateDir, "bundles");
  await buildBundles(bundles);
  process.env.LAUREL_BUNDLES = bundles;
}

// Imported only now: the handlers read their configuration at module load, as in Lambda.
const { dispatch } = await import("./local/api.ts");
const { startLocalServer } = await import("./local/server.ts");
// The leaderboard projector, fed from DynamoDB Local's stream of the ledger as Lambda is in AWS.
const { StreamPoller } = await import("./local/stream-poller.ts");
const projector = await loadHandler<typeof import("../functions/background/projector.ts").handler>("projector");
const poller = new StreamPoller({
  endpoint: dynamo.endpoint,
  client: createDynamoClient(),
  table: tableNames.ledger,
  handler: projector,
  onError: (error) => console.error(`leaderboard projector: ${(error as Error).message}`),
}).start();
// Notifications: the notifier on the same stream (its event filter), the deliverer on the queue.
const notifier = await loadHandler<typeof import("../functions/background/notifier.ts").handler>("notifier");
const deliverer = await loadHandler<typeof import("../functions/background/deliverer.ts").handler>("deliverer");
const { isNotified } = await import("../functions/notify/ledger-records.ts");
const notifierPoller = new StreamPoller({
  endpoint: dynamo.endpoint,
  client: createDynamoClient(),
  table: tableNames.ledger,
  handler: notifier,
  filter: ({ eventName, dynamodb }) => eventName === "INSERT" && isNotified(dynamodb?.Keys?.pk?.S ?? "", dynamodb?.Keys?.sk?.S ?? ""),
  onError: (error) => console.error(`notifier: ${(error as Error).message}`),
}).start();
const delivering = setInterval(() => {
  deliveryQueue.pollOnce(deliverer, lambdaContext("deliverer")).catch((error) => console.error(`deliverer: ${(error as Error).message}`));
}, 1000);

if (firstRun) {
  const token = await issuer.sign(demoAdmin, ["admin"]);
  const send = async (method: "PUT" | "POST", url: string, body: unknown, key?: string) => {
    const result = await dispatch({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(key ? { "idempotency-key": key } : {}) },
      body: JSON.stringify(body),
    });
    return { status: result.statusCode ?? 200, body: JSON.parse(result.body ?? "null") as unknown };
  };
  // The functions read their log level once, at their first request (this load): keep it INFO for
  // the server's requests, and leave the load's hundreds of request lines out of the terminal.
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  await loadDemoOrg(send);
  const secrets = await loadDemoDefinitions(send);
  writeFileSync(join(stateDir, "source-secrets.json"), JSON.stringify(secrets, null, 2), { mode: 0o600 });
  await loadDemoAwards(send);
  await loadDemoEvents(dispatch, secrets["tianma-learning"] as string);
  await loadDemoIndices(send);
  await loadDemoFund(dispatch, (personId, roles) => issuer.sign(personId, roles));
  process.stdout.write = write;
  console.log(`Loaded the demo enterprise: ${demoPeople.length} people.`);
}

const page = await buildWeb();
await startLocalServer(port, "127.0.0.1", { dev: { issuer }, throttle: stageConfig("dev").throttle });
const managerToken = await issuer.sign("liu-yang", ["manager"]);
console.log(`
Laurel is running at http://127.0.0.1:${port}  (DynamoDB Local at ${dynamo.endpoint}, data in .laurel/)
${bundled ? "Served from the esbuild bundles Lambda runs (.laurel/bundles/)." : "Served from the TypeScript sources; npm start -- --bundled serves the bundles Lambda runs."}

The managers' page: http://127.0.0.1:${port}/app/  (demo sign-in; ${page.summary})

Try it, as 刘洋 (liu-yang, a team lead):
  curl -s http://127.0.0.1:${port}/people/liu-yang/balances -H "Authorization: Bearer ${managerToken}"

Other tokens: npm run token -- <personId> <roles...>   (e.g. npm run token -- cao-yi admin)
Start over with: npm start -- --fresh
`);

const stop = async () => {
  clearInterval(delivering);
  await poller.stop();
  await notifierPoller.stop();
  await deliveryQueue.stop();
  await dynamo.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
