/**
 * One API request in a process of its own with Lambda's X-Ray environment (set by
 * test/system/tracing.test.ts): Powertools Tracer sends the handler's and every DynamoDB call's
 * subsegment to the daemon address it is given. Prints the answer's status.
 */
import { dispatch } from "../../scripts/local/api.ts";

const [url] = process.argv.slice(2);
const result = await dispatch({ method: "GET", url: url as string, headers: { authorization: `Bearer ${process.env.LAUREL_TOKEN}` } });
process.stdout.write(String(result.statusCode));
