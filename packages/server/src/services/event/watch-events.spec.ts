// WatchEvents over real sockets: every lifecycle step as an event, in order, on every protocol;
// scopes and filters; isolation; the principals' narrower views; cancellation, shutdown and
// overflow releasing the subscription; idle streams surviving the server's request timeouts.
import { Code } from "@connectrpc/connect";
import { EnvironmentPhase, EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { EventService, ResourceType } from "@gitpod-connect/schema/gitpod/v1/event";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { deletionGraceMs } from "../../domain/runners/index.js";
import { manualClock } from "../../clock.js";
import { createHandlerDeps } from "../../handler-deps.js";
import { sequentialIds } from "../../ids.js";
import { expectFailure } from "../../test-support/expectations.js";
import { addRunner, runnerToken } from "../../test-support/store-fixtures.js";
import { flavours, startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import { contextSpec, createRunning, get, stepMs, where } from "../environment/environment-test-helpers.js";
import { waitForEnvironment } from "../../test-support/wait-for-environment.js";
import { describeEvent, releaseStreams, untilSubscriptions, watch } from "./event-test-helpers.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
afterEach(() => releaseStreams(server));

const envs = () => server.client(EnvironmentService, testTokens.admin);
const environmentsOnly = [{ resourceType: ResourceType.ENVIRONMENT }];

describe("an environment's lifecycle as events", () => {
  it.each(flavours)("arrives step by step, in order, over %s: create, every status change, the stop, the deletion", async (flavour) => {
    const stream = await watch(server, testTokens.admin, { scope: { case: "organization", value: true }, resourceTypeFilters: environmentsOnly }, flavour);
    const { environment } = await envs().createEnvironment({ spec: contextSpec(server) });
    const id = environment!.id;
    expect(describeEvent(await stream.next())).toBe(`CREATE ENVIRONMENT ${id}`);

    // Each step of the simulated runner is one status write, so one event; reading the environment
    // after each event shows every intermediate phase.
    const seen: string[] = [];
    for (let step = 0; step < 10; step++) {
      await server.clock.advance(stepMs);
      expect(describeEvent(await stream.next())).toBe(`UPDATE_STATUS ENVIRONMENT ${id}`);
      seen.push(where(await get(envs(), id)));
    }
    expect(seen[0]).toBe("CREATING machine=- content=- devcontainer=- automations=-");
    expect(seen[seen.length - 1]).toBe("RUNNING machine=RUNNING content=READY devcontainer=RUNNING automations=READY");
    expect(new Set(seen).size).toBe(10); // every step shows a new state

    await envs().stopEnvironment({ environmentId: id });
    expect(describeEvent(await stream.next())).toBe(`UPDATE ENVIRONMENT ${id}`); // the spec changed
    await server.clock.advance(stepMs * 2);
    expect([describeEvent(await stream.next()), describeEvent(await stream.next())]).toEqual([
      `UPDATE_STATUS ENVIRONMENT ${id}`,
      `UPDATE_STATUS ENVIRONMENT ${id}`,
    ]);
    expect((await get(envs(), id)).status!.phase).toBe(EnvironmentPhase.STOPPED);

    await envs().deleteEnvironment({ environmentId: id, force: true });
    expect(describeEvent(await stream.next())).toBe(`DELETE ENVIRONMENT ${id}`);
    expect(await stream.quietFor(50)).toBe(true);
    stream.cancel();
    await untilSubscriptions(server, 0);
  });
});

describe("scopes and filters", () => {
  it("leaves the services, tasks and executions inside environments out of the organization scope, as documented", async () => {
    const env = await createRunning(server, envs());
    const unscoped = await watch(server, testTokens.admin, {});
    const automations = server.client(EnvironmentAutomationService, testTokens.admin);
    await automations.createTask({ environmentId: env.id, metadata: { reference: "build", name: "Build" }, spec: { command: "make" } });
    await envs().updateEnvironment({ environmentId: env.id, metadata: { name: "renamed" } });
    expect(describeEvent(await unscoped.next())).toBe(`UPDATE ENVIRONMENT ${env.id}`);
  });

  it("scoped to one environment, streams it and its automations, not other environments", async () => {
    const a = await createRunning(server, envs());
    const b = await createRunning(server, envs());
    const stream = await watch(server, testTokens.admin, { scope: { case: "environmentId", value: a.id } });
    const automations = server.client(EnvironmentAutomationService, testTokens.admin);
    await envs().updateEnvironment({ environmentId: b.id, metadata: { name: "b renamed" } });
    const { service } = await automations.createService({ environmentId: a.id, metadata: { reference: "web", name: "Web" }, spec: { commands: { start: "npm start" } } });
    await envs().updateEnvironment({ environmentId: a.id, metadata: { name: "a renamed" } });
    expect(describeEvent(await stream.next())).toBe(`CREATE SERVICE ${service!.id}`);
    expect(describeEvent(await stream.next())).toBe(`UPDATE ENVIRONMENT ${a.id}`);
    expect(await stream.quietFor(50)).toBe(true);
    stream.cancel();
  });

  it("filters by resource type, by resource ids and by creator, any filter matching", async () => {
    const a = await createRunning(server, envs());
    const b = await createRunning(server, envs());
    const runners = server.client(RunnerService, testTokens.admin);
    const byId = await watch(server, testTokens.admin, {
      scope: { case: "organization", value: true },
      resourceTypeFilters: [{ resourceType: ResourceType.ENVIRONMENT, resourceIds: [b.id] }, { resourceType: ResourceType.RUNNER }],
    });
    const byCreator = await watch(server, testTokens.admin, {
      scope: { case: "organization", value: true },
      resourceTypeFilters: [{ resourceType: ResourceType.ENVIRONMENT, creatorIds: ["11111111-2222-4333-8444-555555555555"] }],
    });
    await envs().updateEnvironment({ environmentId: a.id, metadata: { name: "a" } });
    await envs().updateEnvironment({ environmentId: b.id, metadata: { name: "b" } });
    const { runner } = await runners.createRunner({ name: "watched", provider: RunnerProvider.GCP });
    expect(describeEvent(await byId.next())).toBe(`UPDATE ENVIRONMENT ${b.id}`);
    expect(describeEvent(await byId.next())).toBe(`CREATE RUNNER ${runner!.runnerId}`);
    expect(await byCreator.quietFor(50)).toBe(true);
    byId.cancel();
    byCreator.cancel();
  });

  it("reports a runner's deletion once its grace period has passed, and its environment classes going with it", async () => {
    const runners = server.client(RunnerService, testTokens.admin);
    const { runner } = await runners.createRunner({ name: "to delete", provider: RunnerProvider.GCP });
    const stream = await watch(server, testTokens.admin, {
      scope: { case: "organization", value: true },
      resourceTypeFilters: [{ resourceType: ResourceType.RUNNER, resourceIds: [runner!.runnerId] }],
    });
    await runners.deleteRunner({ runnerId: runner!.runnerId });
    expect(describeEvent(await stream.next())).toBe(`UPDATE RUNNER ${runner!.runnerId}`);
    await server.clock.advance(deletionGraceMs);
    expect(describeEvent(await stream.next())).toBe(`DELETE RUNNER ${runner!.runnerId}`);
    stream.cancel();
  });

  it("watches the organization without a scope, and needs organization true, a UUID and an environment the caller can see", async () => {
    const events = server.client(EventService, testTokens.admin);
    const drain = async (request: Parameters<typeof events.watchEvents>[0]) => {
      for await (const _ of events.watchEvents(request)) break;
    };
    await expectFailure(drain({ scope: { case: "organization", value: false } }), Code.InvalidArgument, "organization");
    await expectFailure(drain({ scope: { case: "environmentId", value: "nope" } }), Code.InvalidArgument, "environment_id");
    await expectFailure(drain({ scope: { case: "environmentId", value: "00000000-0000-4000-8000-00000000ffff" } }), Code.NotFound, "environment");
    await expectFailure(
      drain({ scope: { case: "organization", value: true }, resourceTypeFilters: [{ resourceType: ResourceType.UNSPECIFIED }] }),
      Code.InvalidArgument,
      "resource_type_filters[0].resource_type",
    );
  });

  it("rejects an unknown resource type name in a JSON stream request, naming the field", async () => {
    const json = Buffer.from(JSON.stringify({ organization: true, resourceTypeFilters: [{ resourceType: "RESOURCE_TYPE_PRINTER" }] }));
    const envelope = Buffer.alloc(5);
    envelope.writeUInt32BE(json.length, 1);
    const res = await fetch(`${server.url}/gitpod.v1.EventService/WatchEvents`, {
      method: "POST",
      headers: { "content-type": "application/connect+json", authorization: `Bearer ${testTokens.admin}` },
      body: Buffer.concat([envelope, json]),
    });
    const end = Buffer.from(await res.arrayBuffer());
    expect(end[0]).toBe(2);
    const error = (JSON.parse(end.subarray(5).toString()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("invalid_argument");
    expect(error.message).toContain('resource_type_filters[0].resource_type: unknown value "RESOURCE_TYPE_PRINTER"');
  });
});

describe("who sees what", () => {
  it("shows another organization none of this organization's events, and not its environments by id", async () => {
    const stream = await watch(server, testTokens.other, { scope: { case: "organization", value: true } });
    const env = await createRunning(server, envs());
    expect(await stream.quietFor(50)).toBe(true);
    stream.cancel();
    const events = server.client(EventService, testTokens.other);
    await expectFailure(
      (async () => {
        for await (const _ of events.watchEvents({ scope: { case: "environmentId", value: env.id } })) break;
      })(),
      Code.NotFound,
    );
  });

  it("shows an environment token only its own environment's events, even for the whole organization", async () => {
    const mine = await createRunning(server, envs());
    const other = await createRunning(server, envs());
    const { accessToken } = await envs().createEnvironmentAccessToken({ environmentId: mine.id });
    const stream = await watch(server, accessToken, { scope: { case: "organization", value: true } });
    await envs().updateEnvironment({ environmentId: other.id, metadata: { name: "not for you" } });
    await envs().updateEnvironment({ environmentId: mine.id, metadata: { name: "yours" } });
    expect(describeEvent(await stream.next())).toBe(`UPDATE ENVIRONMENT ${mine.id}`);
    stream.cancel();
  });

  it("shows a runner its own events and its environments', not another runner's", async () => {
    const otherRunner = await addRunner(server, { provider: RunnerProvider.GCP });
    const stream = await watch(server, await runnerToken(server, otherRunner), { scope: { case: "organization", value: true } });
    await createRunning(server, envs()); // on the bootstrap runner
    expect(await stream.quietFor(50)).toBe(true);
    await server.client(RunnerService, testTokens.admin).updateRunner({ runnerId: otherRunner, name: "renamed" });
    expect(describeEvent(await stream.next())).toBe(`UPDATE RUNNER ${otherRunner}`);
    stream.cancel();
  });
});

describe("the stream's end", () => {
  it.each(flavours)("releases the subscription when the client cancels, over %s", async (flavour) => {
    const before = server.deps.events.subscriptions;
    const stream = await watch(server, testTokens.admin, { scope: { case: "organization", value: true } }, flavour);
    expect(server.deps.events.subscriptions).toBe(before + 1);
    stream.cancel();
    await untilSubscriptions(server, before);
  });

  it("ends every stream cleanly on shutdown, without waiting for the grace period", async () => {
    const s = await startTestServer({ shutdownGraceMs: 30_000 });
    const streams = [];
    for (const f of flavours) streams.push(await watch(s, testTokens.admin, { scope: { case: "organization", value: true } }, f));
    expect(s.deps.events.subscriptions).toBe(flavours.length);
    const started = Date.now();
    await s.close();
    expect(Date.now() - started).toBeLessThan(10_000);
    for (const stream of streams) expect(await stream.next()).toBe("end");
    expect(s.deps.events.subscriptions).toBe(0);
  });

  it("ends a stream that falls too far behind with resource_exhausted, after the events it holds", async () => {
    const deps = createHandlerDeps({ clock: manualClock(), ids: sequentialIds(), eventBufferSize: 3 });
    const s = await startTestServer({ deps });
    try {
      const runners = s.client(RunnerService, testTokens.admin);
      const config = s.client(RunnerConfigurationService, testTokens.admin);
      const { runner } = await runners.createRunner({ name: "busy", provider: RunnerProvider.GCP });
      for (let i = 0; i < 4; i++) {
        await config.createEnvironmentClass({
          runnerId: runner!.runnerId,
          displayName: `Class ${i}`,
          description: "for the overflow",
          configuration: [
            { key: "cpu", value: "4" },
            { key: "memory", value: "16" },
          ],
        });
      }
      const stream = await watch(s, testTokens.admin, { scope: { case: "organization", value: true } });
      // One transaction removes the runner's four classes and the runner: five events at once,
      // before the stream can take any of them.
      await runners.deleteRunner({ runnerId: runner!.runnerId, force: true });
      const kept = [await stream.next(), await stream.next(), await stream.next()].map((e) => describeEvent(e).split(" ").slice(0, 2).join(" "));
      expect(kept).toEqual(["DELETE ENVIRONMENT_CLASS", "DELETE ENVIRONMENT_CLASS", "DELETE ENVIRONMENT_CLASS"]);
      await expectFailure(stream.next(), Code.ResourceExhausted, "fell more than 3 events behind");
      expect(s.deps.events.subscriptions).toBe(0);
    } finally {
      await s.close();
    }
  });

  it("keeps an idle stream open past the server's header and request timeouts", async () => {
    const s = await startTestServer({ headersTimeoutMs: 200, requestTimeoutMs: 300 });
    try {
      const stream = await watch(s, testTokens.admin, { scope: { case: "organization", value: true } });
      const h2 = await watch(s, testTokens.admin, { scope: { case: "organization", value: true } }, "grpc");
      await new Promise((r) => setTimeout(r, 1_200));
      const { runner } = await s.client(RunnerService, testTokens.admin).createRunner({ name: "late", provider: RunnerProvider.GCP });
      expect(describeEvent(await stream.next())).toBe(`CREATE RUNNER ${runner!.runnerId}`);
      expect(describeEvent(await h2.next())).toBe(`CREATE RUNNER ${runner!.runnerId}`);
      stream.cancel();
      h2.cancel();
    } finally {
      await s.close();
    }
  });
});

describe("a client that waits like the official SDK", () => {
  it("reaches RUNNING after create and STOPPED after stop, reading the stream and re-reading the environment", async () => {
    const events = server.client(EventService, testTokens.admin);
    const { environment } = await envs().createEnvironment({ spec: contextSpec(server) });
    const id = environment!.id;
    // The runner steps while the client waits: the clock moves one step whenever the client
    // has subscribed and nothing else is pending.
    const driving = driveClock(server);
    try {
      const running = await waitForEnvironment(envs(), events, id, (e) => e.status?.phase === EnvironmentPhase.RUNNING);
      expect(where(running)).toBe("RUNNING machine=RUNNING content=READY devcontainer=RUNNING automations=READY");
      await envs().stopEnvironment({ environmentId: id });
      const stopped = await waitForEnvironment(envs(), events, id, (e) => e.status?.phase === EnvironmentPhase.STOPPED);
      expect(stopped.status!.phase).toBe(EnvironmentPhase.STOPPED);
    } finally {
      driving.stop();
    }
    await untilSubscriptions(server, 0);
  });
});

/**
 * Moves the manual clock one step every few milliseconds of real time, but only while a stream is
 * subscribed: a client like the SDK's reads the environment before it watches, and a step between
 * the two would go unseen (the race is the client's; the test keeps it out).
 */
function driveClock(s: TestServer): { stop(): void } {
  let on = true;
  void (async () => {
    while (on) {
      await new Promise((r) => setTimeout(r, 10));
      if (on && s.deps.events.subscriptions > 0) await s.clock.advance(stepMs);
    }
  })();
  return { stop: () => (on = false) };
}
