import { Code } from "@connectrpc/connect";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { RunnerPhase } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerKind, RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { environmentClasses } from "../../domain/environment-classes/index.js";
import { runners } from "../../domain/runners/index.js";
import { startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import { runnerConfigurationService } from "./runner-configuration-service.js";
import { addRunner, allPages, expectFailure, tamper } from "./test-fixtures.js";

let server: TestServer;
let admin: ReturnType<typeof clientFor>;
let other: ReturnType<typeof clientFor>;
const clientFor = (token: string) => server.client(RunnerConfigurationService, token);
const shape = (cpu: string, memory: string, disk = "30") => [
  { key: "cpu", value: cpu },
  { key: "memory", value: memory },
  { key: "disk", value: disk },
];

beforeAll(async () => {
  server = await startTestServer({ implementations: [runnerConfigurationService] });
  admin = clientFor(testTokens.admin);
  other = clientFor(testTokens.other);
});
afterAll(() => server.close());

describe("CreateEnvironmentClass", () => {
  it("creates an enabled class on the caller's runner and returns its id", async () => {
    const { id } = await admin.createEnvironmentClass({
      runnerId: server.bootstrap.runnerId,
      displayName: "Large",
      description: "8 cores, 32 GiB memory",
      configuration: [...shape("8", "32", "100"), { key: "architecture", value: "arm64" }],
    });
    const { environmentClass } = await admin.getEnvironmentClass({ environmentClassId: id });
    expect(environmentClass).toMatchObject({
      id,
      runnerId: server.bootstrap.runnerId,
      displayName: "Large",
      description: "8 cores, 32 GiB memory",
      enabled: true,
    });
    expect(environmentClass?.configuration.map((c) => `${c.key}=${c.value}`)).toEqual(["cpu=8", "memory=32", "disk=100", "architecture=arm64"]);
  });

  it("accepts the documentation's example configuration (cpu 8, memory 16384)", async () => {
    const { id } = await admin.createEnvironmentClass({
      runnerId: server.bootstrap.runnerId,
      displayName: "Large Instance",
      description: "8 CPU, 16GB RAM",
      configuration: [
        { key: "cpu", value: "8" },
        { key: "memory", value: "16384" },
      ],
    });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  const rejectsConfiguration = (configuration: { key: string; value: string }[], ...texts: string[]) =>
    expectFailure(
      admin.createEnvironmentClass({ runnerId: server.bootstrap.runnerId, displayName: "Rejected", description: "never stored", configuration }),
      Code.InvalidArgument,
      ...texts,
    );

  it.each([
    ["an unknown key, naming configuration[i].key", [...shape("2", "8"), { key: "gpu", value: "1" }], ["configuration[3].key", '"gpu"']],
    ["a value out of the field's range, naming configuration[i].value", shape("1000", "8"), ["configuration[0].value", "between 1 and 448"]],
    ["a value that is not a whole number", shape("2", "8.5"), ["configuration[1].value", "whole number"]],
    ["an unknown enum choice", [...shape("2", "8"), { key: "architecture", value: "sparc" }], ["configuration[3].value", '"amd64", "arm64"']],
    ["a bad boolean", [...shape("2", "8"), { key: "spot", value: "yes" }], ["configuration[3].value", '"true" or "false"']],
    ["a missing required key, naming configuration and the key", [{ key: "cpu", value: "2" }], ["configuration:", '"memory"']],
    ["a key given twice", [...shape("2", "8"), { key: "cpu", value: "4" }], ["configuration[3].key", "more than once"]],
    ["an empty key", [...shape("2", "8"), { key: "", value: "4" }], ["configuration[3].key", "must not be empty"]],
  ])("rejects %s with invalid_argument", async (_label, configuration, texts) => {
    await rejectsConfiguration(configuration, ...texts);
  });

  it("rejects a display name that is too short or padded with white space, naming display_name", async () => {
    await expectFailure(
      admin.createEnvironmentClass({ runnerId: server.bootstrap.runnerId, displayName: "ab", description: "short name", configuration: shape("2", "8") }),
      Code.InvalidArgument,
      "display_name",
    );
    await expectFailure(
      admin.createEnvironmentClass({ runnerId: server.bootstrap.runnerId, displayName: " Padded ", description: "padded name", configuration: shape("2", "8") }),
      Code.InvalidArgument,
      "display_name",
      "white space",
    );
  });

  it("checks keys against the schema of the runner's provider", async () => {
    const local = await addRunner(server, { provider: RunnerProvider.LINUX_HOST, kind: RunnerKind.LOCAL });
    await expectFailure(
      admin.createEnvironmentClass({ runnerId: local, displayName: "Arm", description: "arm on a local runner", configuration: [...shape("2", "8"), { key: "architecture", value: "arm64" }] }),
      Code.InvalidArgument,
      "configuration[3].key",
    );
    await expectFailure(
      admin.createEnvironmentClass({ runnerId: local, displayName: "Big", description: "too much memory locally", configuration: shape("2", "2048") }),
      Code.InvalidArgument,
      "configuration[1].value",
      "between 1 and 1024",
    );
  });

  it("answers not_found for an unknown runner and for another organization's runner", async () => {
    const req = { displayName: "Nowhere", description: "no runner", configuration: shape("2", "8") };
    await expectFailure(admin.createEnvironmentClass({ ...req, runnerId: "00000000-0000-4000-8000-0000000fffff" }), Code.NotFound, "runner");
    await expectFailure(other.createEnvironmentClass({ ...req, runnerId: server.bootstrap.runnerId }), Code.NotFound, server.bootstrap.runnerId);
  });

  it("refuses a runner that is being deleted with failed_precondition", async () => {
    const leaving = await addRunner(server, { desiredPhase: RunnerPhase.DELETING });
    await expectFailure(
      admin.createEnvironmentClass({ runnerId: leaving, displayName: "Late", description: "too late", configuration: shape("2", "8") }),
      Code.FailedPrecondition,
      "being deleted",
    );
  });

  it("gives every one of 20 parallel creates its own class", async () => {
    const runnerId = await addRunner(server);
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        admin.createEnvironmentClass({ runnerId, displayName: `Parallel ${i}`, description: "made in parallel", configuration: shape("2", "8") }).then((r) => r.id),
      ),
    );
    expect(new Set(ids).size).toBe(20);
    const { items } = await allPages(async (token) => {
      const page = await admin.listEnvironmentClasses({ filter: { runnerIds: [runnerId] }, pagination: { token, pageSize: 7 } });
      return { items: page.environmentClasses, nextToken: page.pagination?.nextToken ?? "" };
    });
    expect(items.map((c) => c.displayName).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `Parallel ${i}`).sort());
  });
});

describe("GetEnvironmentClass", () => {
  it("returns the bootstrap class", async () => {
    const { environmentClass } = await admin.getEnvironmentClass({ environmentClassId: server.bootstrap.environmentClassId });
    expect(environmentClass).toMatchObject({ displayName: "Small", runnerId: server.bootstrap.runnerId, enabled: true });
  });

  it("answers not_found for an unknown id and hides another organization's class", async () => {
    await expectFailure(admin.getEnvironmentClass({ environmentClassId: "00000000-0000-4000-8000-0000000fffff" }), Code.NotFound, "environment class");
    await expectFailure(other.getEnvironmentClass({ environmentClassId: server.bootstrap.environmentClassId }), Code.NotFound);
  });

  it("rejects an id that is not a UUID with invalid_argument", async () => {
    await expectFailure(admin.getEnvironmentClass({ environmentClassId: "nope" }), Code.InvalidArgument, "environment_class_id");
  });
});

describe("ListEnvironmentClasses", () => {
  let ec2: string;
  let gcp: string;
  let local: string;
  beforeAll(async () => {
    ec2 = await addRunner(server, { provider: RunnerProvider.AWS_EC2 });
    gcp = await addRunner(server, { provider: RunnerProvider.GCP });
    local = await addRunner(server, { provider: RunnerProvider.LINUX_HOST, kind: RunnerKind.LOCAL });
    for (const [runnerId, n] of [[ec2, 12], [gcp, 3], [local, 2]] as const) {
      for (let i = 0; i < n; i++) {
        const { id } = await admin.createEnvironmentClass({ runnerId, displayName: `Class ${i}`, description: "listed", configuration: shape("2", "8") });
        if (i % 3 === 0) await admin.updateEnvironmentClass({ environmentClassId: id, enabled: false });
      }
    }
  });

  it("pages through one runner's classes in creation order with the filter bound into the token", async () => {
    const { items, pages } = await allPages(async (token) => {
      const page = await admin.listEnvironmentClasses({ filter: { runnerIds: [ec2] }, pagination: { token, pageSize: 5 } });
      return { items: page.environmentClasses, nextToken: page.pagination?.nextToken ?? "" };
    });
    expect(pages).toBe(3);
    expect(items.map((c) => c.displayName)).toEqual(Array.from({ length: 12 }, (_, i) => `Class ${i}`));
    expect(items.every((c) => c.runnerId === ec2)).toBe(true);
  });

  it("combines filters: enabled, runner kinds and runner providers", async () => {
    const list = async (filter: Parameters<typeof admin.listEnvironmentClasses>[0]["filter"]) =>
      (await admin.listEnvironmentClasses({ filter, pagination: { pageSize: 100 } })).environmentClasses;
    const disabledEc2 = await list({ runnerIds: [ec2], enabled: false });
    expect(disabledEc2.map((c) => c.displayName)).toEqual(["Class 0", "Class 3", "Class 6", "Class 9"]);
    const gcpOnly = await list({ runnerProviders: [RunnerProvider.GCP] });
    expect(gcpOnly.every((c) => c.runnerId === gcp)).toBe(true);
    expect(gcpOnly).toHaveLength(3);
    const localKind = await list({ runnerKinds: [RunnerKind.LOCAL] });
    expect(localKind.map((c) => c.runnerId)).toEqual([local, local]);
    const enabledLocalOrGcp = await list({ runnerProviders: [RunnerProvider.GCP, RunnerProvider.LINUX_HOST], enabled: true });
    expect(enabledLocalOrGcp).toHaveLength(3);
  });

  it("with can_create_environments lists only enabled classes of runners that are not being deleted", async () => {
    const leaving = await addRunner(server);
    const { id } = await admin.createEnvironmentClass({ runnerId: leaving, displayName: "Leaving", description: "runner goes away", configuration: shape("2", "8") });
    await server.deps.store.collection(runners).update(leaving, (r) => {
      r.spec!.desiredPhase = RunnerPhase.DELETING;
      return r;
    });
    const usable = (await admin.listEnvironmentClasses({ filter: { canCreateEnvironments: true }, pagination: { pageSize: 100 } })).environmentClasses;
    expect(usable.length).toBeGreaterThan(0);
    expect(usable.every((c) => c.enabled)).toBe(true);
    expect(usable.some((c) => c.id === id)).toBe(false);
    expect(usable.some((c) => c.id === server.bootstrap.environmentClassId)).toBe(true);
  });

  it("rejects a tampered page token and a token reused with another filter with invalid_argument", async () => {
    const first = await admin.listEnvironmentClasses({ filter: { runnerIds: [ec2] }, pagination: { pageSize: 5 } });
    const token = first.pagination!.nextToken;
    await expectFailure(admin.listEnvironmentClasses({ filter: { runnerIds: [ec2] }, pagination: { token: tamper(token), pageSize: 5 } }), Code.InvalidArgument, "pagination.token");
    await expectFailure(admin.listEnvironmentClasses({ filter: { runnerIds: [gcp] }, pagination: { token, pageSize: 5 } }), Code.InvalidArgument, "pagination.token");
  });

  it("never shows another organization's classes, nor accepts its page tokens", async () => {
    const mine = await admin.listEnvironmentClasses({ pagination: { pageSize: 2 } });
    const theirs = await other.listEnvironmentClasses({ pagination: { pageSize: 100 } });
    expect(theirs.environmentClasses).toEqual([]);
    await expectFailure(other.listEnvironmentClasses({ pagination: { token: mine.pagination!.nextToken, pageSize: 2 } }), Code.InvalidArgument, "pagination.token");
  });
});

describe("UpdateEnvironmentClass", () => {
  it("changes only the fields that are set and keeps the configuration", async () => {
    const { id } = await admin.createEnvironmentClass({ runnerId: server.bootstrap.runnerId, displayName: "Before", description: "before update", configuration: shape("4", "16") });
    await admin.updateEnvironmentClass({ environmentClassId: id, description: "after update" });
    let { environmentClass } = await admin.getEnvironmentClass({ environmentClassId: id });
    expect(environmentClass).toMatchObject({ displayName: "Before", description: "after update", enabled: true });
    await admin.updateEnvironmentClass({ environmentClassId: id, displayName: "After", enabled: false });
    ({ environmentClass } = await admin.getEnvironmentClass({ environmentClassId: id }));
    expect(environmentClass).toMatchObject({ displayName: "After", description: "after update", enabled: false });
    expect(environmentClass?.configuration.map((c) => c.value)).toEqual(["4", "16", "30"]);
  });

  it("keeps a disabled class, which can be enabled again", async () => {
    const { id } = await admin.createEnvironmentClass({ runnerId: server.bootstrap.runnerId, displayName: "Toggle", description: "toggled", configuration: shape("2", "8") });
    await admin.updateEnvironmentClass({ environmentClassId: id, enabled: false });
    const disabled = await admin.listEnvironmentClasses({ filter: { enabled: false }, pagination: { pageSize: 100 } });
    expect(disabled.environmentClasses.some((c) => c.id === id)).toBe(true);
    await admin.updateEnvironmentClass({ environmentClassId: id, enabled: true });
    expect((await admin.getEnvironmentClass({ environmentClassId: id })).environmentClass?.enabled).toBe(true);
  });

  it("rejects invalid names and descriptions naming the field", async () => {
    const id = server.bootstrap.environmentClassId;
    await expectFailure(admin.updateEnvironmentClass({ environmentClassId: id, displayName: "x" }), Code.InvalidArgument, "display_name");
    await expectFailure(admin.updateEnvironmentClass({ environmentClassId: id, description: "tab\there" }), Code.InvalidArgument, "description", "control characters");
  });

  it("answers not_found for an unknown class and for another organization's class", async () => {
    await expectFailure(admin.updateEnvironmentClass({ environmentClassId: "00000000-0000-4000-8000-0000000fffff", enabled: false }), Code.NotFound);
    await expectFailure(other.updateEnvironmentClass({ environmentClassId: server.bootstrap.environmentClassId, enabled: false }), Code.NotFound);
    expect((await admin.getEnvironmentClass({ environmentClassId: server.bootstrap.environmentClassId })).environmentClass?.enabled).toBe(true);
  });

  it("serializes 20 parallel updates: every one is applied, none is lost or half-written", async () => {
    const { id } = await admin.createEnvironmentClass({ runnerId: server.bootstrap.runnerId, displayName: "Contended", description: "contended 0", configuration: shape("2", "8") });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => admin.updateEnvironmentClass({ environmentClassId: id, displayName: `Name ${i}`, description: `contended ${i}` })),
    );
    const record = await server.deps.store.collection(environmentClasses).get(id);
    expect(record?.version).toBe(21);
    const n = /^Name (\d+)$/.exec(record!.value.displayName)?.[1];
    expect(record?.value.description).toBe(`contended ${n}`);
  });
});
