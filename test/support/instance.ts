/**
 * A second Laurel instance for tests: its own process, so its own Lambda module state (clients,
 * caches), serving the same handlers over HTTP against the same tables. Prints its port.
 */
import type { AddressInfo } from "node:net";
import { startLocalServer } from "../../scripts/local/server.ts";

const server = await startLocalServer(0);
process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
process.on("disconnect", () => process.exit(0));
