/**
 * What every function but the public one needs at its start whatever Laurel's code: the DynamoDB
 * client and Powertools' logger and tracer (the X-Ray SDK from its layer). Bundled alone by
 * bench/bundles.ts, it is the floor under every function's module init.
 */
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { createLogger, observe } from "../../functions/http/log.ts";

export const floor = [createDocumentClient("floor"), observe(createLogger("floor"))];
