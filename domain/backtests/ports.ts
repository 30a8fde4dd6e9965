/** Ports of the backtests context: what a backtest reads (it writes nothing but its audit record, kept by the HTTP stack). */
import type { Person } from "../directory/index.ts";
import type { EventLog } from "../ledger/index.ts";

export interface BacktestDeps {
  events: Pick<EventLog, "read">;
  people(): AsyncIterable<Person>;
}
