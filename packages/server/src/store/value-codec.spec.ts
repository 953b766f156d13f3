import { create, equals } from "@bufbuild/protobuf";
import { timestampFromMs, TimestampSchema } from "@bufbuild/protobuf/wkt";
import { EnvironmentPhase, EnvironmentSchema } from "@gitpod-connect/schema/gitpod/v1/environment";
import { describe, expect, it } from "vitest";
import { decodeValue, encodeValue, ValueCodecError, type JsonValue } from "./value-codec.js";

/** Through JSON text, as a SQL store keeps it. */
const roundTrip = (value: unknown) => decodeValue(JSON.parse(JSON.stringify(encodeValue(value))) as JsonValue);

describe("store value codec", () => {
  it("keeps a message exactly: fields, 64-bit integers, nested messages and unknown fields", () => {
    const env = create(EnvironmentSchema, {
      id: "e1",
      metadata: { name: "n", createdAt: timestampFromMs(1_700_000_000_123) },
      spec: { specVersion: 9_007_199_254_740_993n, desiredPhase: EnvironmentPhase.RUNNING },
    });
    env.$unknown = [{ no: 999, wireType: 0, data: new Uint8Array([1]) }];
    const back = roundTrip(env) as typeof env;
    expect(back.$typeName).toBe("gitpod.v1.Environment");
    expect(equals(EnvironmentSchema, back, env)).toBe(true);
    expect(back.spec?.specVersion).toBe(9_007_199_254_740_993n);
    expect(back.$unknown).toEqual(env.$unknown);
  });

  it("keeps plain records holding messages, bigints, bytes, maps, sets, dates and undefined in arrays", () => {
    const value = {
      environment: create(EnvironmentSchema, { id: "e2" }),
      at: create(TimestampSchema, { seconds: 5n }),
      big: -12n,
      bytes: new Uint8Array([0, 255]),
      map: new Map<string, unknown>([["a", 1n]]),
      set: new Set(["x"]),
      when: new Date(0),
      list: [1, undefined, "s"],
      odd: [Number.NaN, Number.POSITIVE_INFINITY, -0],
      nested: { deep: { idleSinceMs: 5 } },
      absent: undefined,
    };
    const back = roundTrip(value) as typeof value;
    const { absent: _, ...present } = value;
    expect(back).toStrictEqual(present);
    expect("absent" in back).toBe(false);
    expect(Object.is(back.odd[2], -0)).toBe(true);
    expect(equals(EnvironmentSchema, back.environment, value.environment)).toBe(true);
  });

  it("reads a plain key that starts with $ as a key, not a tag", () => {
    expect(roundTrip({ $n: "1", b: 2 })).toEqual({ $n: "1", b: 2 });
    expect(roundTrip([{ $pb: "x" }])).toEqual([{ $pb: "x" }]);
  });

  it("refuses what it cannot keep, naming where it is", () => {
    expect(() => encodeValue({ a: [() => 1] })).toThrow(ValueCodecError);
    expect(() => encodeValue({ a: [() => 1] })).toThrow("value.a[0]: a function cannot be stored");
    expect(() => encodeValue({ url: new URL("http://x") })).toThrow("value.url: a class instance (URL) cannot be stored");
  });
});
