import { fromJson } from "@bufbuild/protobuf";
import { DurationSchema, TimestampSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { durationStringProblem, timestampStringProblem } from "./json-time-strings.js";

describe("Duration strings", () => {
  it("accepts what proto3 JSON writes", () => {
    for (const ok of ["0s", "1s", "-1s", "1.5s", "-0.500s", "0.000000001s", "315576000000s", "-315576000000.999999999s"]) {
      expect(durationStringProblem(ok), ok).toBeUndefined();
      expect(() => fromJson(DurationSchema, ok), ok).not.toThrow();
    }
  });

  it("rejects what protobuf-es would take leniently or fail on unclearly", () => {
    // protobuf-es 2.17 parses the first two (its pattern has no end anchor) and throws a bare
    // RangeError for the third.
    expect(() => fromJson(DurationSchema, "1800sjunk")).not.toThrow();
    for (const bad of ["1800sjunk", "1s ", "1.0000000001s", "1", "s", "+1s", "1.s", ".5s", "1e3s", "1m", ""]) {
      expect(durationStringProblem(bad), bad).toMatch(/is no duration/);
    }
    expect(durationStringProblem("315576000001s")).toMatch(/out of range/);
  });
});

describe("Timestamp strings", () => {
  it("accepts RFC 3339 as proto3 JSON writes and reads it", () => {
    for (const ok of ["2026-12-01T10:00:00Z", "1970-01-01T00:00:00.000000001Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "2024-02-29T12:00:00+01:30"]) {
      expect(timestampStringProblem(ok), ok).toBeUndefined();
      expect(() => fromJson(TimestampSchema, ok), ok).not.toThrow();
    }
  });

  it("rejects dates that do not exist, malformed text and out-of-range years", () => {
    // protobuf-es 2.17 turns February 30 into March 2.
    expect(() => fromJson(TimestampSchema, "1970-02-30T00:00:00Z")).not.toThrow();
    for (const bad of ["1970-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T10:00:00+25:00"]) {
      expect(timestampStringProblem(bad), bad).toMatch(/no such/);
    }
    for (const bad of ["2026-12-01", "2026-12-01T10:00:00", "2026-12-01T10:00:00.1234567890Z", "2026-12-01 10:00:00Z", "yesterday"]) {
      expect(timestampStringProblem(bad), bad).toMatch(/is no timestamp/);
    }
    expect(timestampStringProblem("0000-12-31T00:00:00Z")).toMatch(/out of range/);
  });
});
