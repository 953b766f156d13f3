// Stored values are frozen and compact, and still the same values: equal messages with the same
// encodings, plain data with its Maps and null-prototype objects intact.
import { clone, create, equals, toBinary, toJsonString } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { EnvironmentPhase, EnvironmentSchema, EnvironmentSpec_SSHPublicKeySchema } from "@gitpod-connect/schema/gitpod/v1/environment";
import { describe, expect, it } from "vitest";
import { frozenCompact } from "./frozen-values.js";

const environment = create(EnvironmentSchema, {
  id: "e1",
  metadata: { name: "one", createdAt: timestampFromMs(1_700_000_000_000), annotations: { team: "a" } },
  spec: { machine: { class: "small" }, ports: [{ port: 3000, name: "web" }] },
  status: { phase: EnvironmentPhase.RUNNING, statusVersion: 7n },
});

describe("frozen compact values", () => {
  it("are equal messages with the same binary and JSON encodings, the same keys in the same order and the same prototype", () => {
    const copy = clone(EnvironmentSchema, environment);
    const keys = [Object.keys(copy), Object.keys(copy.metadata!)];
    const stored = frozenCompact(copy);
    expect(equals(EnvironmentSchema, stored, environment)).toBe(true);
    expect(toBinary(EnvironmentSchema, stored)).toEqual(toBinary(EnvironmentSchema, environment));
    expect(toJsonString(EnvironmentSchema, stored)).toBe(toJsonString(EnvironmentSchema, environment));
    expect([Object.keys(stored), Object.keys(stored.metadata!)]).toEqual(keys);
    expect(Object.getPrototypeOf(stored)).toBe(Object.getPrototypeOf(environment));
  });

  it("are frozen to the leaves, and copies of them are ordinary mutable messages", () => {
    const stored = frozenCompact(clone(EnvironmentSchema, environment));
    expect(Object.isFrozen(stored.spec!.ports)).toBe(true);
    expect(Object.isFrozen(stored.spec!.ports[0])).toBe(true);
    const key = create(EnvironmentSpec_SSHPublicKeySchema, { id: "k", value: "v" });
    expect(() => stored.spec!.sshPublicKeys.push(key)).toThrow(TypeError);
    const copy = clone(EnvironmentSchema, stored);
    copy.spec!.sshPublicKeys.push(key);
    expect(copy.spec!.sshPublicKeys).toHaveLength(1);
    expect(stored.spec!.sshPublicKeys).toHaveLength(0);
  });

  it("keep plain data as it was: Maps, Sets, null-prototype objects, typed arrays and empty containers", () => {
    const nullProto = Object.assign(Object.create(null) as Record<string, number>, { a: 1 });
    const value = { map: new Map([["k", { n: 1 }]]), set: new Set([1]), nullProto, bytes: new Uint8Array([1, 2]), empty: [], emptyObject: {} };
    // A copy that keeps the null prototype (structuredClone would not).
    const stored = frozenCompact({ ...value, map: new Map(value.map), set: new Set(value.set), nullProto: Object.assign(Object.create(null) as Record<string, number>, nullProto), empty: [], emptyObject: {} });
    expect(stored.map.get("k")).toEqual({ n: 1 });
    expect(stored.set.has(1)).toBe(true);
    expect(Object.getPrototypeOf(stored.nullProto)).toBeNull();
    expect(stored.nullProto.a).toBe(1);
    expect(stored.bytes).toEqual(new Uint8Array([1, 2]));
    expect(stored.empty).toEqual([]);
    expect(stored.emptyObject).toEqual({});
    expect(Object.isFrozen(stored.map.get("k"))).toBe(true);
    expect(structuredClone(stored)).toEqual(structuredClone(value));
  });
});
