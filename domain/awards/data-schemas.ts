/**
 * The JSON Schemas a source gives its event types' data: checked when an admin defines them, and
 * every event's data checked against them, by a JSON Schema validator (@cfworker/json-schema:
 * every draft, no code generation, 23 KB). zod's JSON Schema reader would build zod schemas
 * instead, but it needs all of classic zod, about 105 KB of the admin and webhooks bundles.
 */
import { type OutputUnit, type Schema, Validator } from "@cfworker/json-schema";
import draft07 from "./json-schema-draft-07.json" with { type: "json" };

export type DataSchema = Validator;

export const compileDataSchema = (schema: Record<string, unknown>): DataSchema => new Validator(schema, "2020-12", false);

/**
 * Draft 7's meta-schema, whose keywords 2020-12 keeps, checks a schema's keywords to any depth
 * (2020-12's own meta-schema refers to itself by `$dynamicRef`, which this validator does not
 * follow into nested schemas). Built on first use, so that no bundle builds it at load.
 */
let metaSchema: Validator | undefined;

/** A validator reports each failing schema and every one above it: the deepest say what is wrong. */
const deepest = (errors: OutputUnit[]) =>
  errors.filter((error) => !errors.some((other) => other.keywordLocation.startsWith(`${error.keywordLocation}/`)));

/** JSON Pointer segments (RFC 6901, URI-encoded by the validator) as the dotted paths of problem details. */
const pathOf = (instanceLocation: string) =>
  instanceLocation
    .split("/")
    .slice(1)
    .map((segment) => decodeURIComponent(segment).replaceAll("~1", "/").replaceAll("~0", "~"));

/** Why a data schema is not one Laurel can check events against; undefined when it is. */
export function dataSchemaFault(schema: Record<string, unknown>): string | undefined {
  metaSchema ??= new Validator(draft07 as Schema, "7", false);
  const [fault] = deepest(metaSchema.validate(schema).errors);
  if (fault) return `${pathOf(fault.instanceLocation).join(".") || "the schema"}: ${fault.error}`;
  const ref = references(schema).find((ref) => resolve(schema, ref) === undefined);
  return ref === undefined ? undefined : `$ref ${ref}: refer to a place inside the schema, such as #/$defs/level`;
}

/** Every `$ref` a schema makes, at any depth. */
const references = (value: unknown): string[] =>
  typeof value !== "object" || value === null
    ? []
    : Object.entries(value).flatMap(([key, inner]) => (key === "$ref" && typeof inner === "string" ? [inner] : references(inner)));

/** What a local reference (`#` and a JSON Pointer) points at; undefined when it points outside the schema or at nothing. */
function resolve(schema: unknown, ref: string): unknown {
  if (!ref.startsWith("#")) return undefined;
  let at = schema;
  for (const segment of pathOf(ref)) at = typeof at === "object" && at !== null ? (at as Record<string, unknown>)[segment] : undefined;
  return at;
}

/** The places where an event's data does not match its type's schema, each with what is wrong. */
export function dataFaults(schema: DataSchema, data: unknown): { path: string; message: string }[] {
  let errors: OutputUnit[];
  try {
    errors = schema.validate(data).errors;
  } catch (error) {
    // A schema saved before its references were checked may refer to what no validator can find.
    return [{ path: "data", message: (error as Error).message }];
  }
  return deepest(errors).map((error) => ({ path: ["data", ...pathOf(error.instanceLocation)].join("."), message: error.error }));
}
