/** The hash chain's canonical form is RFC 8785 (JCS): its test vectors, and what it refuses. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../domain/kernel/canonical.ts";

/** The form the chain was hashed with before it had a name, verbatim, as the reference. */
function formBefore(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(formBefore).join(",")}]`;
  const fields = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${JSON.stringify(k)}:${formBefore(v)}`);
  return `{${fields.join(",")}}`;
}

const ieee = (hex: string) => Buffer.from(hex, "hex").readDoubleBE(0);

describe("RFC 8785 test vectors", () => {
  it("writes the sample of section 3.2.2: numbers, escapes, literals", () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it("sorts keys by UTF-16 code units as in section 3.2.3", () => {
    const input = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it.each([
    ["0000000000000000", "0"],
    ["8000000000000000", "0"],
    ["0000000000000001", "5e-324"],
    ["8000000000000001", "-5e-324"],
    ["7fefffffffffffff", "1.7976931348623157e+308"],
    ["ffefffffffffffff", "-1.7976931348623157e+308"],
    ["4340000000000000", "9007199254740992"],
    ["c340000000000000", "-9007199254740992"],
    ["4430000000000000", "295147905179352830000"],
    ["44b52d02c7e14af5", "9.999999999999997e+22"],
    ["44b52d02c7e14af6", "1e+23"],
    ["44b52d02c7e14af7", "1.0000000000000001e+23"],
    ["444b1ae4d6e2ef4e", "999999999999999700000"],
    ["444b1ae4d6e2ef4f", "999999999999999900000"],
    ["444b1ae4d6e2ef50", "1e+21"],
    ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
    ["3eb0c6f7a0b5ed8d", "0.000001"],
    ["41b3de4355555553", "333333333.3333332"],
    ["41b3de4355555554", "333333333.33333325"],
    ["41b3de4355555555", "333333333.3333333"],
    ["41b3de4355555556", "333333333.3333334"],
    ["41b3de4355555557", "333333333.33333343"],
    ["becbf647612f3696", "-0.0000033333333333333333"],
    ["43143ff3c1cb0959", "1424953923781206.2"],
  ])("writes the IEEE 754 number %s of appendix B as %s", (hex, expected) => {
    expect(canonicalJson(ieee(hex))).toBe(expected);
  });
});

describe("what JSON cannot say is refused, never written in a colliding form", () => {
  it.each([
    ["undefined in an array", [undefined, 1], /\$\[0\]: a value of type undefined/],
    ["a Date", { at: new Date(0) }, /\$\.at: a Date object/],
    ["a Map", new Map([["a", 1]]), /\$: a Map object/],
    ["NaN", { n: Number.NaN }, /the number NaN/],
    ["Infinity", [Number.POSITIVE_INFINITY], /the number Infinity/],
    ["a function", { f: () => 1 }, /type function/],
    ["a symbol", [Symbol("s")], /type symbol/],
    ["a bigint", { n: 1n }, /type bigint/],
    ["a lone surrogate", { reason: "x\ud800" }, /lone surrogate/],
    ["a key with a lone surrogate", { "\udc00": 1 }, /key with a lone surrogate/],
    ["undefined alone", undefined, /\$: a value of type undefined/],
  ])("%s", (_, value, message) => {
    expect(() => canonicalJson(value)).toThrow(message);
  });

  it("reads an object member that is undefined as absent, as JSON.stringify does", () => {
    expect(canonicalJson({ b: 1, a: undefined })).toBe(canonicalJson({ b: 1 }));
  });

  it("writes a value nested 100,000 deep without overflowing the stack", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(canonicalJson(deep)).toHaveLength(200_001);
  });
});

describe("chains hashed before keep verifying", () => {
  it("JCS is the form before on every value the ledger can hold", () => {
    const stored = fc.jsonValue({ maxDepth: 4 }).filter((value) => JSON.stringify(value).isWellFormed());
    fc.assert(
      fc.property(stored, (value) => canonicalJson(value) === formBefore(value)),
      { numRuns: 2_000 },
    );
  });
});
