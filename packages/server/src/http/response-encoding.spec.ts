// The assembled encoding of an answer made of frozen stored records must be the bytes protobuf-es
// writes for it, in both formats; anything it does not handle is left to the standard encoding.
import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  EnvironmentPhase,
  EnvironmentSchema,
  GetEnvironmentResponseSchema,
  ListEnvironmentsResponseSchema,
  type Environment,
} from "@gitpod-connect/schema/gitpod/v1/environment";
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../store/memory-store.js";
import { messageCollection } from "../store/store.js";
import { assembledEncoding } from "./response-encoding.js";

const collection = messageCollection("environments", "environment", EnvironmentSchema);

function environment(n: number): Environment {
  return create(EnvironmentSchema, {
    id: `env-${n}`,
    metadata: { name: `née ${n} "quoted"`, createdAt: timestampFromMs(1_700_000_000_000 + n), annotations: { a: "b" } },
    spec: { machine: { class: "small" }, ports: [{ port: 3000, name: "web" }] },
    status: { phase: EnvironmentPhase.RUNNING, statusVersion: BigInt(n), environmentUrls: { logs: "http://x/logs" } },
  });
}

/** Environments as a read-only read hands them out: frozen. */
async function storedEnvironments(count: number): Promise<Environment[]> {
  const c = createMemoryStore().collection(collection);
  for (let i = 0; i < count; i++) await c.insert({ id: `env-${i}`, organizationId: "org", value: environment(i) });
  return (await c.list({ limit: count, readOnly: true })).items.map((r) => r.value);
}

describe("assembled encodings", () => {
  it("equal protobuf-es's bytes for a page of frozen environments with pagination, in binary and JSON, also when read again", async () => {
    const envs = await storedEnvironments(5);
    expect(Object.isFrozen(envs[0])).toBe(true);
    const page = create(ListEnvironmentsResponseSchema, { environments: envs, pagination: { nextToken: "next" } });
    for (let round = 0; round < 2; round++) {
      expect(assembledEncoding(ListEnvironmentsResponseSchema, page, true, {})).toEqual(toBinary(ListEnvironmentsResponseSchema, page));
      const json = assembledEncoding(ListEnvironmentsResponseSchema, page, false, {});
      expect(new TextDecoder().decode(json)).toBe(toJsonString(ListEnvironmentsResponseSchema, page));
    }
  });

  it("equal protobuf-es's bytes for one frozen environment (GetEnvironment)", async () => {
    const [env] = await storedEnvironments(1);
    const answer = create(GetEnvironmentResponseSchema, { environment: env });
    expect(answer.environment).toBe(env);
    expect(assembledEncoding(GetEnvironmentResponseSchema, answer, true, {})).toEqual(toBinary(GetEnvironmentResponseSchema, answer));
    expect(new TextDecoder().decode(assembledEncoding(GetEnvironmentResponseSchema, answer, false, {}))).toBe(toJsonString(GetEnvironmentResponseSchema, answer));
  });

  it("leave answers without frozen records, with other fields set or with unknown fields to the standard encoding", async () => {
    const fresh = create(GetEnvironmentResponseSchema, { environment: environment(1) });
    expect(assembledEncoding(GetEnvironmentResponseSchema, fresh, true, {})).toBeUndefined();
    const envs = await storedEnvironments(1);
    const withEmptyList = create(ListEnvironmentsResponseSchema, { environments: [] });
    expect(assembledEncoding(ListEnvironmentsResponseSchema, withEmptyList, false, {})).toBeUndefined();
    const unknown = create(GetEnvironmentResponseSchema, { environment: envs[0] });
    (unknown as { $unknown?: unknown[] }).$unknown = [{ no: 99, wireType: 0, data: new Uint8Array([1]) }];
    expect(assembledEncoding(GetEnvironmentResponseSchema, unknown, true, {})).toBeUndefined();
    const page = create(ListEnvironmentsResponseSchema, { environments: envs });
    expect(assembledEncoding(ListEnvironmentsResponseSchema, page, false, { alwaysEmitImplicit: true })).toBeUndefined();
  });
});
