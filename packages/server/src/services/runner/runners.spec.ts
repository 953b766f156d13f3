import { Code } from "@connectrpc/connect";
import { create, create as createMessage, type DescMessage, toBinary, toJson } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { EnvironmentClassSchema } from "@gitpod-connect/schema/gitpod/v1/environment_class";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import {
  LogLevel,
  RunnerPhase,
  RunnerReleaseChannel,
  RunnerService,
  RunnerVariant,
  type Runner,
} from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerKind, RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { environmentClasses } from "../../domain/environment-classes/index.js";
import { deletionGraceMs, runners } from "../../domain/runners/index.js";
import { http1Request } from "../../test-support/raw-request.js";
import { leaks } from "../../test-support/secret-leaks.js";
import { sealSecret } from "../../domain/secrets/index.js";
import { startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import { allPages, createRunner, expectFailure, expectOneWinner, startRunnerTestServer, tamper, type RunnerClient } from "./test-fixtures.js";

let server: TestServer;
let admin: RunnerClient;
let member: RunnerClient;
let other: RunnerClient;
let memberId: string;
const unknownId = "00000000-0000-4000-8000-0000deadbeef";

beforeAll(async () => {
  ({ server, admin, other, member, memberId } = await startRunnerTestServer());
});
afterAll(() => server.close());

async function get(runnerId: string): Promise<Runner> {
  return (await admin.getRunner({ runnerId })).runner!;
}

/** A RunnerService call raw over HTTP/1.1 in Connect JSON and binary; both bodies (status 200 expected). */
async function rawRunnerBodies(method: keyof typeof RunnerService.method, request: object, token: string): Promise<(string | Buffer)[]> {
  const desc = RunnerService.method[method];
  const input = desc.input as DescMessage;
  const url = `${server.url}/gitpod.v1.RunnerService/${desc.name}`;
  const bodies: (string | Buffer)[] = [];
  for (const [type, body] of [
    ["application/json", JSON.stringify(toJson(input, createMessage(input, request as never)))],
    ["application/proto", Buffer.from(toBinary(input, createMessage(input, request as never)))],
  ] as const) {
    const res = await http1Request(url, { headers: { authorization: `Bearer ${token}`, "content-type": type }, body });
    expect(res.status, res.body.toString()).toBe(200);
    bodies.push(type === "application/json" ? res.body.toString("utf8") : res.body);
  }
  return bodies;
}

describe("Runner responses", () => {
  const password = "metrics_password_9f3c1a";

  it("never returns the metrics password: not from CreateRunner, GetRunner or ListRunners, in JSON or binary, to a member or the runner", async () => {
    const spec = { configuration: { metrics: { enabled: true, url: "https://m.example.com", username: "u", password } } };
    const bodies = await rawRunnerBodies("createRunner", { name: "secret keeper", provider: RunnerProvider.AWS_EC2, spec }, testTokens.admin);
    const { runnerId, exchangeToken } = await createRunner(admin, { spec });
    await admin.updateRunner({ runnerId, spec: { configuration: { metrics: { password: `${password}-2` } } } });
    for (const token of [testTokens.admin, "member-token", exchangeToken]) {
      bodies.push(...(await rawRunnerBodies("getRunner", { runnerId }, token)));
      bodies.push(...(await rawRunnerBodies("listRunners", { pagination: { pageSize: 100 } }, token)));
    }
    expect(bodies.some((b) => leaks(b, "metrics.example") || leaks(b, "m.example.com"))).toBe(true); // the detector sees the rest of the spec
    for (const body of bodies) expect(leaks(body, password)).toBe(false);
  });

  it("accepts on CreateRunner only an encrypted Honeycomb key this server sealed, rejecting another naming the field", async () => {
    const field = "spec.configuration.encrypted_honeycomb_api_key";
    await expectFailure(
      admin.createRunner({ name: "forged key", provider: RunnerProvider.AWS_EC2, spec: { configuration: { encryptedHoneycombApiKey: Buffer.from("hcaik_in_clear") } } }),
      Code.InvalidArgument,
      field,
    );
    const sealed = sealSecret("hcaik_sealed_by_us");
    const { runner } = await admin.createRunner({ name: "copied key", provider: RunnerProvider.AWS_EC2, spec: { configuration: { encryptedHoneycombApiKey: sealed } } });
    expect(runner?.spec?.configuration?.encryptedHoneycombApiKey).toEqual(sealed);
  });
});

describe("CreateRunner", () => {
  it("registers an AWS EC2 runner as CREATED, with the derived kind, defaults, creator, timestamps and an exchange token", async () => {
    const now = server.clock.now();
    const res = await admin.createRunner({ name: "Production Runner", provider: RunnerProvider.AWS_EC2 });
    const runner = res.runner!;
    expect(runner).toMatchObject({
      name: "Production Runner",
      kind: RunnerKind.REMOTE,
      provider: RunnerProvider.AWS_EC2,
      runnerManagerId: "",
      creator: { id: server.bootstrap.adminUserId, principal: Principal.USER },
      spec: {
        desiredPhase: RunnerPhase.ACTIVE,
        variant: RunnerVariant.STANDARD,
        configuration: { releaseChannel: RunnerReleaseChannel.STABLE, region: "", autoUpdate: false },
      },
      status: { phase: RunnerPhase.CREATED, message: expect.stringContaining("waiting for the runner") },
    });
    expect(runner.runnerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(runner.createdAt).toEqual(now);
    expect(runner.updatedAt).toEqual(now);
    expect(runner.spec?.configuration?.updateWindow).toBeUndefined();
    expect(res.exchangeToken).toMatch(/^gitpod_/);
    expect(res.accessToken).toBe("");
    expect(await get(runner.runnerId)).toEqual(runner);
  });

  it("keeps the documented example's configuration", async () => {
    const { runner } = await admin.createRunner({
      name: "Production Runner",
      provider: RunnerProvider.AWS_EC2,
      spec: {
        desiredPhase: RunnerPhase.ACTIVE,
        configuration: {
          region: "us-west",
          releaseChannel: RunnerReleaseChannel.STABLE,
          autoUpdate: true,
          logLevel: LogLevel.DEBUG,
          devcontainerImageCacheEnabled: true,
          metrics: { enabled: true, url: "https://metrics.example.com/write", username: "u", password: "p" },
          updateWindow: { startHour: 22 },
        },
        variant: RunnerVariant.ENTERPRISE,
      },
    });
    expect(runner?.spec).toMatchObject({
      desiredPhase: RunnerPhase.ACTIVE,
      variant: RunnerVariant.ENTERPRISE,
      configuration: {
        region: "us-west",
        autoUpdate: true,
        logLevel: LogLevel.DEBUG,
        devcontainerImageCacheEnabled: true,
        // The password is write-only: kept, never returned (see "never returns the metrics password").
        metrics: { enabled: true, url: "https://metrics.example.com/write", username: "u", password: "" },
        updateWindow: { startHour: 22, endHour: 0 },
      },
    });
    expect((await server.deps.store.collection(runners).get(runner!.runnerId))?.value.spec?.configuration?.metrics?.password).toBe("p");
  });

  it.each([
    ["a local Linux runner (documented example)", { provider: RunnerProvider.LINUX_HOST }, RunnerKind.LOCAL, RunnerProvider.LINUX_HOST],
    ["a GCP runner", { provider: RunnerProvider.GCP }, RunnerKind.REMOTE, RunnerProvider.GCP],
    ["a dev agent", { provider: RunnerProvider.DEV_AGENT }, RunnerKind.LOCAL, RunnerProvider.DEV_AGENT],
    ["a legacy remote runner (kind only)", { kind: RunnerKind.REMOTE }, RunnerKind.REMOTE, RunnerProvider.UNSPECIFIED],
    [
      "a managed runner with its runner manager",
      { provider: RunnerProvider.MANAGED, runnerManagerId: "00000000-0000-4000-8000-00000000aaaa" },
      RunnerKind.REMOTE,
      RunnerProvider.MANAGED,
    ],
  ])("creates %s", async (_, init, kind, provider) => {
    const { runner } = await admin.createRunner({ name: "Runner", ...init });
    expect(runner).toMatchObject({ kind, provider });
  });

  it.each([
    ["both kind and provider", { provider: RunnerProvider.AWS_EC2, kind: RunnerKind.REMOTE }, "kind:"],
    ["neither kind nor provider", {}, "provider:"],
    ["a managed runner without runner manager", { provider: RunnerProvider.MANAGED }, "runner_manager_id:"],
    ["a runner manager for an EC2 runner", { provider: RunnerProvider.AWS_EC2, runnerManagerId: "00000000-0000-4000-8000-00000000aaaa" }, "runner_manager_id:"],
    ["a runner manager id that is no UUID", { provider: RunnerProvider.MANAGED, runnerManagerId: "manager" }, "runner_manager_id:"],
    ["an undefined provider", { provider: 42 as RunnerProvider }, "provider:"],
    ["a name of two characters", { provider: RunnerProvider.AWS_EC2, name: "ab" }, "name:"],
    ["a desired phase of DELETED", { provider: RunnerProvider.AWS_EC2, spec: { desiredPhase: RunnerPhase.DELETED } }, "spec.desired_phase:"],
    ["a desired phase of CREATED", { provider: RunnerProvider.AWS_EC2, spec: { desiredPhase: RunnerPhase.CREATED } }, "spec.desired_phase:"],
    ["an undefined variant", { provider: RunnerProvider.AWS_EC2, spec: { variant: 7 as RunnerVariant } }, "spec.variant:"],
    ["a region with capitals", { provider: RunnerProvider.AWS_EC2, spec: { configuration: { region: "US West" } } }, "spec.configuration.region:"],
    ["an undefined release channel", { provider: RunnerProvider.AWS_EC2, spec: { configuration: { releaseChannel: 9 } } }, "spec.configuration.release_channel:"],
    ["an undefined log level", { provider: RunnerProvider.AWS_EC2, spec: { configuration: { logLevel: 9 } } }, "spec.configuration.log_level:"],
    ["a metrics URL that is no URL", { provider: RunnerProvider.AWS_EC2, spec: { configuration: { metrics: { url: "collector" } } } }, "spec.configuration.metrics.url:"],
    ["an update window of one hour", { provider: RunnerProvider.AWS_EC2, spec: { configuration: { updateWindow: { startHour: 1, endHour: 2 } } } }, "spec.configuration.update_window.end_hour:"],
    ["an update window without start", { provider: RunnerProvider.AWS_EC2, spec: { configuration: { updateWindow: { endHour: 2 } } } }, "spec.configuration.update_window.start_hour:"],
    ["an update window starting at 24", { provider: RunnerProvider.AWS_EC2, spec: { configuration: { updateWindow: { startHour: 24 } } } }, "spec.configuration.update_window.start_hour:"],
  ])("rejects %s with invalid_argument naming the field", async (_, init, field) => {
    await expectFailure(admin.createRunner({ name: "Runner", ...init }), Code.InvalidArgument, field);
  });

  it("allows one local-configuration runner per organization, also when created concurrently", async () => {
    const local = server.client(RunnerService, testTokens.other);
    await expectOneWinner(10, () => local.createRunner({ name: "Local runners", kind: RunnerKind.LOCAL_CONFIGURATION }), Code.AlreadyExists);
    await expectFailure(local.createRunner({ name: "Local runners", kind: RunnerKind.LOCAL_CONFIGURATION }), Code.AlreadyExists, "RUNNER_KIND_LOCAL_CONFIGURATION");
  });

  it("records the calling user as creator", async () => {
    const { runner } = await member.createRunner({ name: "Member runner", provider: RunnerProvider.GCP });
    expect(runner?.creator).toMatchObject({ id: memberId, principal: Principal.USER });
  });
});

describe("GetRunner", () => {
  it("answers not_found for an unknown runner and for another organization's runner", async () => {
    await expectFailure(admin.getRunner({ runnerId: unknownId }), Code.NotFound, unknownId);
    await expectFailure(other.getRunner({ runnerId: server.bootstrap.runnerId }), Code.NotFound, server.bootstrap.runnerId);
  });

  it("rejects a runner id that is no UUID naming runner_id", async () => {
    await expectFailure(admin.getRunner({ runnerId: "runner-1" }), Code.InvalidArgument, "runner_id");
  });
});

describe("ListRunners", () => {
  let listServer: TestServer;
  let listAdmin: RunnerClient;
  let listMemberId: string;
  const created: Runner[] = [];

  beforeAll(async () => {
    const setup = await startRunnerTestServer();
    ({ server: listServer, admin: listAdmin, memberId: listMemberId } = setup);
    const listMember = setup.member;
    const providers = [RunnerProvider.AWS_EC2, RunnerProvider.GCP, RunnerProvider.LINUX_HOST, RunnerProvider.GCP, RunnerProvider.MANAGED];
    for (let i = 0; i < 15; i++) {
      const provider = providers[i % providers.length]!;
      const client = i % 3 === 0 ? listMember : listAdmin;
      const res = await client.createRunner({
        name: `runner ${i}`,
        provider,
        ...(provider === RunnerProvider.MANAGED ? { runnerManagerId: "00000000-0000-4000-8000-00000000aaaa" } : {}),
      });
      created.push(res.runner!);
    }
  });
  afterAll(() => listServer.close());

  const walk = (filter: Parameters<RunnerClient["listRunners"]>[0]["filter"], pageSize: number, client = () => listAdmin) =>
    allPages(async (token) => {
      const res = await client().listRunners({ filter, pagination: { pageSize, token } });
      expect(res.runners.length).toBeLessThanOrEqual(pageSize);
      return { items: res.runners, nextToken: res.pagination?.nextToken ?? "" };
    });

  it("lists every runner of the organization in creation order, page by page", async () => {
    const { items, pages } = await walk(undefined, 4);
    expect(items.map((r) => r.runnerId)).toEqual([listServer.bootstrap.runnerId, ...created.map((r) => r.runnerId)]);
    expect(pages).toBe(4);
  });

  it.each([
    ["providers", { providers: [RunnerProvider.GCP] }, (r: Runner) => r.provider === RunnerProvider.GCP],
    ["kinds", { kinds: [RunnerKind.LOCAL] }, (r: Runner) => r.kind === RunnerKind.LOCAL],
    ["creator ids", { creatorIds: ["00000000-0000-4000-8000-000000000000"] }, () => false],
    [
      "providers and kinds together",
      { providers: [RunnerProvider.GCP, RunnerProvider.AWS_EC2], kinds: [RunnerKind.REMOTE] },
      (r: Runner) => r.provider === RunnerProvider.GCP || r.provider === RunnerProvider.AWS_EC2,
    ],
  ])("filters by %s across several pages", async (_, filter, keep) => {
    const bootstrapRunner = (await listAdmin.getRunner({ runnerId: listServer.bootstrap.runnerId })).runner!;
    const expected = [bootstrapRunner, ...created].filter(keep).map((r) => r.runnerId);
    const { items, pages } = await walk(filter, 2);
    expect(items.map((r) => r.runnerId)).toEqual(expected);
    expect(pages).toBe(Math.max(1, Math.ceil(expected.length / 2)));
  });

  it("filters by creator across several pages", async () => {
    const { items, pages } = await walk({ creatorIds: [listMemberId] }, 2);
    expect(items.map((r) => r.runnerId)).toEqual(created.filter((_, i) => i % 3 === 0).map((r) => r.runnerId));
    expect(pages).toBe(3);
  });

  it("rejects a tampered page token and a token of another filter with invalid_argument naming pagination.token", async () => {
    const first = await listAdmin.listRunners({ filter: { providers: [RunnerProvider.GCP] }, pagination: { pageSize: 2 } });
    const token = first.pagination!.nextToken;
    expect(token).not.toBe("");
    await expectFailure(
      listAdmin.listRunners({ filter: { providers: [RunnerProvider.GCP] }, pagination: { pageSize: 2, token: tamper(token) } }),
      Code.InvalidArgument,
      "pagination.token",
    );
    await expectFailure(
      listAdmin.listRunners({ filter: { providers: [RunnerProvider.AWS_EC2] }, pagination: { pageSize: 2, token } }),
      Code.InvalidArgument,
      "pagination.token",
    );
    await expectFailure(listAdmin.listRunners({ pagination: { pageSize: 101 } }), Code.InvalidArgument, "pagination.page_size");
  });

  it("shows another organization none of these runners", async () => {
    const res = await listServer.client(RunnerService, testTokens.other).listRunners({});
    expect(res.runners.map((r) => r.runnerId)).not.toContain(listServer.bootstrap.runnerId);
    expect(res.runners.filter((r) => created.some((c) => c.runnerId === r.runnerId))).toEqual([]);
  });

  it("rejects an undefined kind in the filter naming it", async () => {
    await expectFailure(listAdmin.listRunners({ filter: { kinds: [9 as RunnerKind] } }), Code.InvalidArgument, "filter.kinds");
  });
});

describe("UpdateRunner", () => {
  it("changes only the fields that are set", async () => {
    const { runnerId } = await createRunner(admin, {
      name: "Before",
      spec: { configuration: { region: "eu-central-1", autoUpdate: true, logLevel: LogLevel.INFO, metrics: { enabled: true, url: "https://m.example.com", username: "u" } } },
    });
    await server.clock.advance(1000);
    await admin.updateRunner({ runnerId, spec: { configuration: { releaseChannel: RunnerReleaseChannel.LATEST, metrics: { password: "pw" } } } });
    const runner = await get(runnerId);
    expect(runner).toMatchObject({
      name: "Before",
      spec: {
        configuration: {
          region: "eu-central-1",
          autoUpdate: true,
          logLevel: LogLevel.INFO,
          releaseChannel: RunnerReleaseChannel.LATEST,
          metrics: { enabled: true, url: "https://m.example.com", username: "u", password: "" },
        },
      },
    });
    expect((await server.deps.store.collection(runners).get(runnerId))?.value.spec?.configuration?.metrics?.password).toBe("pw");
    expect(runner.updatedAt).toEqual(server.clock.now());
    expect(runner.createdAt).not.toEqual(server.clock.now());

    await admin.updateRunner({ runnerId, name: "After", spec: { configuration: { autoUpdate: false, devcontainerImageCacheEnabled: true, continuousProfiling: true } } });
    expect(await get(runnerId)).toMatchObject({
      name: "After",
      spec: { configuration: { autoUpdate: false, devcontainerImageCacheEnabled: true, continuousProfiling: true, releaseChannel: RunnerReleaseChannel.LATEST } },
    });
  });

  it("sets an update window with end_hour defaulting to start_hour + 2, and clears it with an empty window", async () => {
    const { runnerId } = await createRunner(admin);
    await admin.updateRunner({ runnerId, spec: { configuration: { updateWindow: { startHour: 23 } } } });
    expect((await get(runnerId)).spec?.configuration?.updateWindow).toMatchObject({ startHour: 23, endHour: 1 });
    await admin.updateRunner({ runnerId, spec: { configuration: { updateWindow: {} } } });
    expect((await get(runnerId)).spec?.configuration?.updateWindow).toBeUndefined();
    await expectFailure(
      admin.updateRunner({ runnerId, spec: { configuration: { updateWindow: { startHour: 4, endHour: 5 } } } }),
      Code.InvalidArgument,
      "spec.configuration.update_window.end_hour",
      "2 hours",
    );
  });

  it("stores the Honeycomb key encrypted, never in clear, and clears it with an empty key", async () => {
    const { runnerId } = await createRunner(admin);
    await admin.updateRunner({ runnerId, spec: { configuration: { honeycombApiKey: "hcaik_plain_key" } } });
    const encrypted = (await get(runnerId)).spec?.configuration?.encryptedHoneycombApiKey ?? new Uint8Array();
    expect(encrypted.length).toBeGreaterThan(16);
    expect(Buffer.from(encrypted).includes(Buffer.from("hcaik_plain_key"))).toBe(false);
    await admin.updateRunner({ runnerId, spec: { configuration: { honeycombApiKey: "" } } });
    expect((await get(runnerId)).spec?.configuration?.encryptedHoneycombApiKey).toHaveLength(0);
  });

  it.each([
    ["a release channel of UNSPECIFIED", { configuration: { releaseChannel: RunnerReleaseChannel.UNSPECIFIED } }, "spec.configuration.release_channel"],
    ["an undefined log level", { configuration: { logLevel: 12 } }, "spec.configuration.log_level"],
    ["a metrics URL with another scheme", { configuration: { metrics: { url: "ftp://m.example.com" } } }, "spec.configuration.metrics.url"],
    ["a desired phase of DELETING", { desiredPhase: RunnerPhase.DELETING }, "spec.desired_phase"],
  ])("rejects %s with invalid_argument naming the field", async (_, spec, field) => {
    const { runnerId } = await createRunner(admin);
    await expectFailure(admin.updateRunner({ runnerId, spec }), Code.InvalidArgument, field);
  });

  it("rejects a too short name naming the field", async () => {
    await expectFailure(admin.updateRunner({ runnerId: server.bootstrap.runnerId, name: "x" }), Code.InvalidArgument, "name");
  });

  it("changes the desired phase only on the local-configuration runner, which switches local runners off", async () => {
    const localServer = await startTestServer();
    try {
      const client = localServer.client(RunnerService, testTokens.admin);
      const remote = await createRunner(client);
      await expectFailure(
        client.updateRunner({ runnerId: remote.runnerId, spec: { desiredPhase: RunnerPhase.INACTIVE } }),
        Code.FailedPrecondition,
        "local-configuration",
      );
      await client.updateRunner({ runnerId: remote.runnerId, spec: { desiredPhase: RunnerPhase.ACTIVE } }); // unchanged: fine

      const laptop = await createRunner(client, { provider: RunnerProvider.DESKTOP_MAC });
      const leaving = await createRunner(client, { provider: RunnerProvider.LINUX_HOST });
      await client.deleteRunner({ runnerId: leaving.runnerId });
      const config = await createRunner(client, { provider: RunnerProvider.UNSPECIFIED, kind: RunnerKind.LOCAL_CONFIGURATION });
      await client.updateRunner({ runnerId: config.runnerId, spec: { desiredPhase: RunnerPhase.INACTIVE } });
      expect((await client.getRunner({ runnerId: config.runnerId })).runner?.spec?.desiredPhase).toBe(RunnerPhase.INACTIVE);
      expect((await client.getRunner({ runnerId: laptop.runnerId })).runner?.status).toMatchObject({
        phase: RunnerPhase.INACTIVE,
        message: expect.stringContaining("switched off"),
      });
      expect((await client.getRunner({ runnerId: remote.runnerId })).runner?.status?.phase).toBe(RunnerPhase.CREATED);
      expect((await client.getRunner({ runnerId: leaving.runnerId })).runner?.status?.phase).toBe(RunnerPhase.DELETING);
      await client.updateRunner({ runnerId: config.runnerId, spec: { desiredPhase: RunnerPhase.ACTIVE } });
      expect((await client.getRunner({ runnerId: config.runnerId })).runner?.spec?.desiredPhase).toBe(RunnerPhase.ACTIVE);
    } finally {
      await localServer.close();
    }
  });

  it("answers not_found for an unknown runner and another organization's runner", async () => {
    await expectFailure(admin.updateRunner({ runnerId: unknownId, name: "New name" }), Code.NotFound);
    await expectFailure(other.updateRunner({ runnerId: server.bootstrap.runnerId, name: "New name" }), Code.NotFound);
    expect((await get(server.bootstrap.runnerId)).name).toBe("Bootstrap runner");
  });

  it("serializes 20 concurrent updates: the final state is exactly one of them", async () => {
    const { runnerId } = await createRunner(admin);
    const updates = Array.from({ length: 20 }, (_, i) => ({
      name: `concurrent ${i}`,
      window: i,
      channel: i % 2 === 0 ? RunnerReleaseChannel.LATEST : RunnerReleaseChannel.STABLE,
    }));
    await Promise.all(
      updates.map((u) =>
        admin.updateRunner({ runnerId, name: u.name, spec: { configuration: { updateWindow: { startHour: u.window }, releaseChannel: u.channel } } }),
      ),
    );
    const runner = await get(runnerId);
    const winner = updates.find((u) => u.name === runner.name);
    expect(winner).toBeDefined();
    expect(runner.spec?.configuration).toMatchObject({
      updateWindow: { startHour: winner!.window, endHour: (winner!.window + 2) % 24 },
      releaseChannel: winner!.channel,
    });
    const record = await server.deps.store.collection(runners).get(runnerId);
    expect(record?.version).toBe(21);
  });
});

describe("DeleteRunner", () => {
  async function withClasses(runnerId: string, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = server.deps.ids.newId();
      await server.deps.store.collection(environmentClasses).insert({
        id,
        organizationId: server.bootstrap.organizationId,
        value: create(EnvironmentClassSchema, { id, runnerId, displayName: `class ${i}`, enabled: true }),
      });
      ids.push(id);
    }
    return ids;
  }

  it("marks the runner deleting, removes its environment classes and policies at once, and lets it go after the grace period", async () => {
    const { runnerId, exchangeToken } = await createRunner(admin);
    const classes = await withClasses(runnerId, 3);
    const keep = await withClasses(server.bootstrap.runnerId, 1);
    await admin.createRunnerPolicy({ runnerId, groupId: "00000000-0000-4000-8000-0000000000a1", role: 1 });
    await server.clock.advance(5000);
    await admin.deleteRunner({ runnerId });

    const runner = await get(runnerId);
    expect(runner.spec?.desiredPhase).toBe(RunnerPhase.DELETED);
    expect(runner.status).toMatchObject({ phase: RunnerPhase.DELETING, updatedAt: server.clock.now() });
    for (const id of classes) expect(await server.deps.store.collection(environmentClasses).get(id)).toBeUndefined();
    expect(await server.deps.store.collection(environmentClasses).get(keep[0]!)).toBeDefined();
    const runnerClient = server.client(RunnerService, exchangeToken);
    await expectFailure(runnerClient.getRunner({ runnerId }), Code.Unauthenticated);
    await expectFailure(admin.updateRunner({ runnerId, name: "Renamed" }), Code.FailedPrecondition, "being deleted");
    await expectFailure(admin.createRunnerToken({ runnerId }), Code.FailedPrecondition, "being deleted");
    await admin.deleteRunner({ runnerId }); // again: still accepted

    await server.clock.advance(deletionGraceMs - 1);
    expect((await admin.listRunners({})).runners.map((r) => r.runnerId)).toContain(runnerId);
    await server.clock.advance(1);
    await expectFailure(admin.getRunner({ runnerId }), Code.NotFound, runnerId);
    expect((await admin.listRunners({ pagination: { pageSize: 100 } })).runners.map((r) => r.runnerId)).not.toContain(runnerId);
    await expectFailure(admin.deleteRunner({ runnerId }), Code.NotFound);
  });

  it("removes a runner once its grace period has passed, as a delete of its own", async () => {
    const { runnerId } = await createRunner(admin);
    await admin.deleteRunner({ runnerId });
    await server.clock.advance(deletionGraceMs - 1);
    expect((await get(runnerId)).status?.phase).toBe(RunnerPhase.DELETING);
    await server.clock.advance(1);
    expect(await server.deps.store.collection(runners).get(runnerId)).toBeUndefined();
    await expectFailure(admin.getRunner({ runnerId }), Code.NotFound, runnerId);
  });

  it("answers not_found for a runner past its grace period before it is removed: reads never purge (a purge inside a transaction would be rolled back)", async () => {
    const s = await startTestServer();
    try {
      s.simulation.stop(); // nothing removes the runner: only reads happen after the deadline
      const c = s.client(RunnerService, testTokens.admin);
      const { runnerId } = await createRunner(c);
      await c.deleteRunner({ runnerId });
      const marked = await s.deps.store.collection(runners).get(runnerId);
      await s.clock.advance(deletionGraceMs);
      await expectFailure(c.getRunner({ runnerId }), Code.NotFound, runnerId);
      await expectFailure(c.createRunnerToken({ runnerId }), Code.NotFound, runnerId);
      expect(await s.deps.store.collection(runners).get(runnerId)).toEqual(marked);
    } finally {
      await s.close();
    }
  });

  it("removes a runner at once when forced", async () => {
    const { runnerId } = await createRunner(admin);
    const classes = await withClasses(runnerId, 2);
    await admin.deleteRunner({ runnerId, force: true });
    await expectFailure(admin.getRunner({ runnerId }), Code.NotFound);
    for (const id of classes) expect(await server.deps.store.collection(environmentClasses).get(id)).toBeUndefined();
  });

  it("does not let another organization delete a runner", async () => {
    const { runnerId } = await createRunner(admin);
    await expectFailure(other.deleteRunner({ runnerId }), Code.NotFound, runnerId);
    await expectFailure(other.deleteRunner({ runnerId, force: true }), Code.NotFound, runnerId);
    expect((await get(runnerId)).status?.phase).toBe(RunnerPhase.CREATED);
  });

  it("writes nothing when the deletion fails halfway", async () => {
    const { runnerId } = await createRunner(admin);
    const classes = await withClasses(runnerId, 2);
    const store = server.deps.store;
    const original = store.transaction.bind(store);
    let failed = false;
    // Fail the runner's own write, after its children were deleted inside the transaction.
    store.transaction = (fn) =>
      original(async (tx) =>
        fn({
          collection: (spec) => {
            const c = tx.collection(spec);
            if (spec.name !== runners.name) return c;
            return {
              ...c,
              update: () => {
                failed = true;
                return Promise.reject(new Error("disk full"));
              },
            };
          },
        }),
      );
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await expectFailure(admin.deleteRunner({ runnerId }), Code.Internal);
    } finally {
      store.transaction = original;
      log.mockRestore();
    }
    expect(failed).toBe(true);
    expect((await get(runnerId)).status?.phase).toBe(RunnerPhase.CREATED);
    for (const id of classes) expect(await server.deps.store.collection(environmentClasses).get(id)).toBeDefined();
  });

  it("keeps the time a deletion was requested when asked again", async () => {
    const { runnerId } = await createRunner(admin);
    await admin.deleteRunner({ runnerId });
    const first = (await get(runnerId)).status?.updatedAt;
    await server.clock.advance(1000);
    await admin.deleteRunner({ runnerId });
    expect((await get(runnerId)).status?.updatedAt).toEqual(first);
    expect(first).toEqual(timestampFromMs(server.clock.nowMs() - 1000));
  });
});
