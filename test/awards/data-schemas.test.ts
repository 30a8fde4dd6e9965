import { describe, expect, it } from "vitest";
import { compileDataSchema, dataFaults, dataSchemaFault } from "../../domain/awards/index.ts";

const course = {
  type: "object",
  required: ["courseId", "score"],
  properties: {
    courseId: { type: "string", minLength: 1 },
    score: { type: "integer", minimum: 0, maximum: 100 },
    tags: { type: "array", items: { type: "string", pattern: "^[a-z]+$" } },
    "a/b~c": { type: "boolean" },
    level: { $ref: "#/$defs/level" },
  },
  $defs: { level: { enum: ["base", "middle", "senior"] } },
};

describe("a source's data schemas", () => {
  it("accept a JSON Schema with nested properties, arrays, patterns and local references", () => {
    expect(dataSchemaFault(course)).toBeUndefined();
  });

  it.each([
    [{ type: "banana" }, "type"],
    [{ type: "object", properties: { score: { type: "numbr" } } }, "properties.score.type"],
    [{ type: "string", pattern: "(" }, "pattern"],
    [{ type: "object", properties: 5 }, "properties"],
    [{ type: "array", items: { type: "string", minLength: -1 } }, "items"],
  ])("refuse %j, saying where", (schema, where) => {
    expect(dataSchemaFault(schema)).toMatch(new RegExp(`^${where.replaceAll(".", "\\.")}`));
  });

  it.each([
    { $ref: "https://example.com/course.json" },
    { type: "object", properties: { level: { $ref: "#/$defs/grade" } }, $defs: { level: { type: "string" } } },
    { type: "array", items: { $ref: "levels.json#/level" } },
  ])("refuse %j, whose reference no event could be checked against", (schema) => {
    expect(dataSchemaFault(schema)).toMatch(/^\$ref \S+: refer to a place inside the schema/);
  });

  it("pass data that matches", () => {
    const data = { courseId: "ai-101", score: 90, tags: ["ai"], "a/b~c": true, level: "middle" };
    expect(dataFaults(compileDataSchema(course), data)).toEqual([]);
  });

  it("name every place where the data does not match, as a dotted path under data", () => {
    const faults = dataFaults(compileDataSchema(course), { courseId: "", score: "high", tags: ["ai", "ML", 3], "a/b~c": 1, level: "top" });
    expect(faults.map((f) => f.path)).toEqual(["data.courseId", "data.score", "data.tags.1", "data.tags.2", "data.a/b~c", "data.level"]);
    expect(faults[1]?.message).toBe('Instance type "string" is invalid. Expected "integer".');
  });

  it("say which property is missing", () => {
    expect(dataFaults(compileDataSchema(course), { score: 50 })).toEqual([
      { path: "data", message: 'Instance does not have required property "courseId".' },
    ]);
  });
});
