import { create } from "@bufbuild/protobuf";
import { EnvironmentSchema } from "@gitpod-connect/schema/gitpod/v1/environment";
import { ResourceOperation, ResourceType } from "@gitpod-connect/schema/gitpod/v1/event";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { describe, expect, it } from "vitest";
import { environments, type EnvironmentRecord } from "../domain/environments/index.js";
import type { StoreChange } from "../store/store.js";
import { resourceEventOf } from "./resource-events.js";

const record = (value: EnvironmentRecord, version = 1) => ({ id: "env", organizationId: "org", version, sequence: 1, value });
const env = (name: string, phase: number, extra: Partial<EnvironmentRecord> = {}): EnvironmentRecord => ({
  environment: create(EnvironmentSchema, {
    id: "env",
    metadata: { name, runnerId: "runner", creator: { id: "user", principal: Principal.USER } },
    status: { phase },
  }),
  ...extra,
});
const update = (before: EnvironmentRecord, after: EnvironmentRecord): StoreChange => ({
  collection: environments.name,
  op: "update",
  record: record(after, 2),
  previous: record(before),
});

describe("resource events", () => {
  it("tells a status-only change (UPDATE_STATUS) from any other change (UPDATE)", () => {
    expect(resourceEventOf(update(env("a", 10), env("a", 20)))?.operation).toBe(ResourceOperation.UPDATE_STATUS);
    expect(resourceEventOf(update(env("a", 10), env("b", 10)))?.operation).toBe(ResourceOperation.UPDATE);
    expect(resourceEventOf(update(env("a", 10), env("b", 20)))?.operation).toBe(ResourceOperation.UPDATE);
  });

  it("makes no event of bookkeeping that leaves the API message as it was (idle time): a watcher could see no change", () => {
    expect(resourceEventOf(update(env("a", 60), env("a", 60, { idleSinceMs: 5 })))).toBeUndefined();
    expect(resourceEventOf(update(env("a", 60), env("a", 60)))).toBeUndefined();
  });

  it("carries what subscriptions filter on: organization, environment, runner and creator", () => {
    const change: StoreChange = { collection: environments.name, op: "insert", record: record(env("a", 10)) };
    expect(resourceEventOf(change)).toEqual({
      organizationId: "org",
      operation: ResourceOperation.CREATE,
      resourceType: ResourceType.ENVIRONMENT,
      resourceId: "env",
      environmentId: "env",
      runnerId: "runner",
      creatorId: "user",
    });
  });
});
