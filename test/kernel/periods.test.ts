import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../domain/kernel/errors.ts";
import { periodIndex, periodKey, periodKeyAt, periodOfKey, periods, previousPeriodKey } from "../../domain/kernel/periods.ts";

const dayMs = 86_400_000;

describe("period keys in the company's time zone", () => {
  it("a day in Shanghai ends at 16:00 UTC", () => {
    expect(periodKey("2026-11-23T15:59:59Z", "day")).toBe("2026-11-23");
    expect(periodKey("2026-11-23T16:00:00Z", "day")).toBe("2026-11-24");
  });

  it("an instant is named by its day, ISO week, month, quarter and year", () => {
    const instant = new Date("2026-11-23T08:00:00+08:00");
    expect(periods.map((period) => periodKey(instant, period))).toEqual(["2026-11-23", "2026-W48", "2026-11", "2026-Q4", "2026"]);
  });

  it("the first days of January can belong to the last ISO week of the year before", () => {
    expect(periodKey("2026-12-31T12:00:00+08:00", "week")).toBe("2026-W53");
    expect(periodKey("2026-12-31T16:00:00Z", "day")).toBe("2027-01-01");
    expect(periodKey("2026-12-31T16:00:00Z", "week")).toBe("2026-W53");
    expect(periodKey("2026-12-31T16:00:00Z", "year")).toBe("2027");
    expect(periodKey("2027-01-04T00:00:00+08:00", "week")).toBe("2027-W01");
  });

  it("a company in Berlin counts days by Berlin time, in winter and in summer", () => {
    expect(periodKey("2026-11-23T22:59:59Z", "day", "Europe/Berlin")).toBe("2026-11-23");
    expect(periodKey("2026-11-23T23:00:00Z", "day", "Europe/Berlin")).toBe("2026-11-24");
    expect(periodKey("2026-07-01T21:59:59Z", "day", "Europe/Berlin")).toBe("2026-07-01");
    expect(periodKey("2026-07-01T22:00:00Z", "day", "Europe/Berlin")).toBe("2026-07-02");
  });

  it("an unknown time zone or a malformed instant is refused", () => {
    expect(() => periodKey("2026-11-23T00:00:00Z", "day", "Asia/Atlantis")).toThrow(expect.objectContaining({ code: "unknown-time-zone" }));
    expect(() => periodKey("yesterday", "day")).toThrow(expect.objectContaining({ code: "invalid-instant" }));
  });

  it("the cached day is the day Intl gives, also in zones with odd offsets and half-hour daylight saving", () => {
    const zones = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham"];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }), fc.constantFrom(...zones), (ms, timeZone) => {
        const expected = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(ms);
        expect(periodKey(new Date(ms), "day", timeZone)).toBe(expected);
      }),
      { seed: 20261123, numRuns: 2000 },
    );
  });
});

describe("ordering periods", () => {
  it("the period before the first of a kind is the last of the year before", () => {
    expect(previousPeriodKey("2026-01-01")).toBe("2025-12-31");
    expect(previousPeriodKey("2027-W01")).toBe("2026-W53");
    expect(previousPeriodKey("2026-W01")).toBe("2025-W52");
    expect(previousPeriodKey("2026-01")).toBe("2025-12");
    expect(previousPeriodKey("2026-Q1")).toBe("2025-Q4");
    expect(previousPeriodKey("2026")).toBe("2025");
  });

  it("a day or a week later is the next period, with the next index", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) }), fc.constantFrom(1, 7), (ms, days) => {
        const period = days === 1 ? "day" : "week";
        const key = periodKey(new Date(ms), period);
        const next = periodKey(new Date(ms + days * dayMs), period);
        expect(periodIndex(next) - periodIndex(key)).toBe(1);
        expect(previousPeriodKey(next)).toBe(key);
      }),
      { seed: 48, numRuns: 1000 },
    );
  });

  it("every index names a key of its kind that gives the index back, and keys sort in time order", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...periods),
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 1, max: 60 }),
        (period, offset, gap) => {
          const start = periodIndex(periodKey("1990-06-15T00:00:00Z", period));
          const key = periodKeyAt(period, start + offset);
          expect(periodOfKey(key)).toBe(period);
          expect(periodIndex(key)).toBe(start + offset);
          expect(key < periodKeyAt(period, start + offset + gap)).toBe(true);
        },
      ),
      { seed: 4, numRuns: 1000 },
    );
  });

  it("keys that name no real period are refused", () => {
    for (const key of ["2026-02-30", "2026-13", "2025-W53", "2026-W00", "2026-Q5", "26-11-23"]) {
      expect(() => periodIndex(key), key).toThrow(DomainError);
    }
  });
});
