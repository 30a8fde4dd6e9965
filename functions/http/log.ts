/**
 * Structured JSON logs, one object a line. Logs carry ids (person, entry, correlation), never
 * names, tokens or secrets: callers pass only what is safe to keep.
 */
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  error(message: string, fields?: { error?: unknown; [field: string]: unknown }): void;
}

const errorFields = (error: unknown) =>
  error instanceof Error ? { errorName: error.name, errorMessage: error.message, stack: error.stack } : { errorMessage: String(error) };

/** LOG_LEVEL=silent keeps test output readable; Lambda and the local server always log. */
const stdout = (line: string) => {
  if (process.env.LOG_LEVEL !== "silent") process.stdout.write(`${line}\n`);
};

export function createLogger(base: LogFields, write: (line: string) => void = stdout): Logger {
  const emit = (level: string, message: string, fields: object) =>
    write(JSON.stringify({ level, time: new Date().toISOString(), message, ...base, ...fields }));
  return {
    info: (message, fields = {}) => emit("info", message, fields),
    error: (message, { error, ...fields } = {}) =>
      emit("error", message, { ...fields, ...(error === undefined ? {} : errorFields(error)) }),
  };
}
