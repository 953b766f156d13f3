// buf curl (the pinned @bufbuild/buf 1.75.0 CLI, connect-go inside) as an independent peer: the
// schema from our protos alone (--schema: an image `buf build` made of our workspace, once also the
// workspace directory itself), requests as JSON on the command line, answers parsed from its JSON
// output, over each of its three protocols — Connect (buf curl always encodes protobuf binary:
// application/proto), gRPC (h2c with prior knowledge) and gRPC-web — each against a fresh server
// with a manual clock. Errors: buf's exit code (gRPC code << 3) and the Connect error JSON it prints.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufError, bufOk, bufStream, buildImage, requireBuf, type BufCall, type BufProtocol, type BufStream } from "./support/peer-buf-curl.js";
import {
  clockStart,
  distinct,
  peerToken,
  phasesToRunning,
  repoRoot,
  scenario,
  peerSetup,
  startPeerServer,
  stepsToRunning,
  tempDir,
  type PeerServer,
} from "./support/peer-server.js";

interface Json {
  [key: string]: unknown;
}
type Runner = Json & { runnerId: string };
type Environment = Json & { id: string; status?: Json & { phase?: string } };
type Service = Json & { id: string; status?: Json & { phase?: string } };

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const protocols: [name: string, protocol: BufProtocol][] = [
  ["Connect binary", "connect"],
  ["gRPC", "grpc"],
  ["gRPC-web", "grpcweb"],
];

let temp: ReturnType<typeof tempDir> | undefined;
let image = "";

describe("peer: buf curl", () => {
  // Fails every test, with what to do, when buf or the derived validate.proto is missing.
  const tool = peerSetup("buf curl", it);
  beforeAll(() =>
    tool.run(() => {
      requireBuf();
      temp = tempDir("peer-buf-curl-");
      image = join(temp.dir, "image.binpb");
      buildImage(image);
    }),
  );
  afterAll(() => temp?.remove());

  describe.each(protocols)("protocol: %s", (_name, protocol) => {
    let peer: PeerServer;
    const call = (procedure: string, data?: unknown, extra: Partial<BufCall> = {}): BufCall => ({
      baseUrl: peer.url,
      procedure,
      protocol,
      schema: image,
      token: peerToken,
      ...(data !== undefined ? { data } : {}),
      ...extra,
    });

    const setup = peerSetup("buf curl", it);
    beforeAll(() =>
      setup.run(async () => {
        tool.check();
        peer = await startPeerServer();
      }),
    );
    afterAll(() => peer?.close());

    let runner: Runner;
    let classId: string;
    let environment: Environment;
    let service: Service;
    let environmentEvents: BufStream | undefined;
    afterAll(() => environmentEvents?.cancel());

    setup.it("creates an AWS runner: the kind is derived (REMOTE), the status CREATED, the creator the caller, an exchange token", async () => {
      const res = await bufOk<{ runner: Runner; exchangeToken: string }>(
        call("gitpod.v1.RunnerService/CreateRunner", {
          name: scenario.runnerName,
          provider: "RUNNER_PROVIDER_AWS_EC2",
          spec: { configuration: { region: scenario.region, releaseChannel: "RUNNER_RELEASE_CHANNEL_STABLE", autoUpdate: true } },
        }),
      );
      runner = res.runner;
      expect(runner.runnerId).toMatch(uuid);
      expect(runner.runnerId).not.toBe(peer.server.bootstrap.runnerId);
      expect(runner).toMatchObject({
        name: scenario.runnerName,
        provider: "RUNNER_PROVIDER_AWS_EC2",
        kind: "RUNNER_KIND_REMOTE",
        createdAt: clockStart,
        creator: { id: peer.server.bootstrap.adminUserId, principal: "PRINCIPAL_USER" },
        spec: {
          desiredPhase: "RUNNER_PHASE_ACTIVE",
          variant: "RUNNER_VARIANT_STANDARD",
          configuration: { region: scenario.region, releaseChannel: "RUNNER_RELEASE_CHANNEL_STABLE", autoUpdate: true },
        },
        status: { phase: "RUNNER_PHASE_CREATED" },
      });
      expect(res.exchangeToken).toMatch(/\S{16,}/);
    });

    setup.it("reads the runner back: GetRunner (also under /api) answers it as created, ListRunners lists it after the bootstrap runner", async () => {
      for (const procedure of ["gitpod.v1.RunnerService/GetRunner", "api/gitpod.v1.RunnerService/GetRunner"]) {
        const { runner: got } = await bufOk<{ runner: Runner }>(call(procedure, { runnerId: runner.runnerId }));
        expect(got, procedure).toEqual(runner);
      }
      const { runners } = await bufOk<{ runners: Runner[] }>(call("gitpod.v1.RunnerService/ListRunners", {}));
      expect(runners.map((r) => r.runnerId)).toEqual([peer.server.bootstrap.runnerId, runner.runnerId]);
      const { runners: remote } = await bufOk<{ runners?: Runner[] }>(
        call("gitpod.v1.RunnerService/ListRunners", { filter: { providers: ["RUNNER_PROVIDER_AWS_EC2"], creatorIds: [peer.server.bootstrap.adminUserId] } }),
      );
      expect(remote?.map((r) => r.runnerId)).toContain(runner.runnerId);
      // An empty repeated field is left out of proto3 JSON altogether.
      const local = await bufOk(call("gitpod.v1.RunnerService/ListRunners", { filter: { kinds: ["RUNNER_KIND_LOCAL"] } }));
      expect(local["runners"]).toBeUndefined();
    });

    setup.it("adds an environment class to the runner, which ListEnvironmentClasses then lists after the bootstrap class", async () => {
      const created = await bufOk<{ id: string }>(
        call("gitpod.v1.RunnerConfigurationService/CreateEnvironmentClass", {
          runnerId: runner.runnerId,
          displayName: scenario.className,
          description: scenario.classDescription,
          configuration: [
            { key: "cpu", value: "4" },
            { key: "memory", value: "16" },
          ],
        }),
      );
      classId = created.id;
      expect(classId).toMatch(uuid);
      const { environmentClasses } = await bufOk<{ environmentClasses: Json[] }>(call("gitpod.v1.EnvironmentService/ListEnvironmentClasses", {}));
      expect(environmentClasses).toEqual([
        expect.objectContaining({ id: peer.server.bootstrap.environmentClassId, displayName: "Small", runnerId: peer.server.bootstrap.runnerId, enabled: true }),
        {
          id: classId,
          displayName: scenario.className,
          description: scenario.classDescription,
          configuration: [
            { key: "cpu", value: "4" },
            { key: "memory", value: "16" },
          ],
          runnerId: runner.runnerId,
          enabled: true,
        },
      ]);
      const { environmentClasses: ofRunner } = await bufOk<{ environmentClasses: Json[] }>(
        call("gitpod.v1.RunnerConfigurationService/ListEnvironmentClasses", { filter: { runnerIds: [runner.runnerId] } }),
      );
      expect(ofRunner.map((c) => c["id"])).toEqual([classId]);
    });

    setup.it("creates an environment of that class from a context URL, watching the organization's environment events: CREATING on the new runner", async () => {
      environmentEvents = bufStream(
        call("gitpod.v1.EventService/WatchEvents", { organization: true, resourceTypeFilters: [{ resourceType: "RESOURCE_TYPE_ENVIRONMENT" }] }),
      );
      // The server sends the stream's head before any event: from then on every write reaches it.
      await environmentEvents.head;
      const { environment: created } = await bufOk<{ environment: Environment }>(
        call("gitpod.v1.EnvironmentService/CreateEnvironment", {
          name: scenario.environmentName,
          spec: {
            machine: { class: classId },
            content: { initializer: { specs: [{ contextUrl: { url: scenario.contextUrl } }] } },
            ports: [{ port: 3000, name: "web", admission: "ADMISSION_LEVEL_ORGANIZATION" }],
          },
        }),
      );
      environment = created;
      expect(environment.id).toMatch(uuid);
      expect(environment).toMatchObject({
        metadata: {
          name: scenario.environmentName,
          organizationId: peer.server.bootstrap.organizationId,
          runnerId: runner.runnerId,
          originalContextUrl: scenario.contextUrl,
          createdAt: clockStart,
          creator: { id: peer.server.bootstrap.adminUserId, principal: "PRINCIPAL_USER" },
        },
        // uint64 in proto3 JSON: a string.
        spec: { specVersion: "1", desiredPhase: "ENVIRONMENT_PHASE_RUNNING", machine: { class: classId } },
        status: { phase: "ENVIRONMENT_PHASE_CREATING", statusVersion: "1" },
      });
    });

    setup.it(`steps it to RUNNING (${stepsToRunning} steps of the manual clock), reading it after each: CREATING, STARTING, RUNNING, the repository cloned, the port served`, async () => {
      const phases: string[] = [];
      for (let i = 0; i < stepsToRunning; i++) {
        await peer.step();
        // snake_case keys are proto3 JSON too (buf parses either spelling).
        const { environment: read } = await bufOk<{ environment: Environment }>(call("gitpod.v1.EnvironmentService/GetEnvironment", { environment_id: environment.id }));
        phases.push(read.status?.phase ?? "none");
        environment = read;
      }
      expect(distinct(phases)).toEqual(phasesToRunning);
      expect(phases.at(-2)).toBe("ENVIRONMENT_PHASE_STARTING");
      expect(environment.status).toMatchObject({
        phase: "ENVIRONMENT_PHASE_RUNNING",
        statusVersion: String(1 + stepsToRunning),
        content: { git: { cloneUrl: scenario.cloneUrl, branch: "main" } },
        environmentUrls: { ports: [{ port: 3000, url: `${peer.url}/environments/${environment.id}/ports/3000/` }], logs: `${peer.url}/environments/${environment.id}/logs` },
      });
      const { environments } = await bufOk<{ environments: Environment[] }>(
        call("gitpod.v1.EnvironmentService/ListEnvironments", { filter: { statusPhases: ["ENVIRONMENT_PHASE_RUNNING"], runnerIds: [runner.runnerId] } }),
      );
      expect(environments.map((e) => e.id)).toEqual([environment.id]);
    });

    setup.it("streamed the environment's creation and each of its steps, then ends as canceled when buf is stopped", async () => {
      const events = await environmentEvents!.messages(1 + stepsToRunning);
      const event = (operation: string) => ({ operation, resourceType: "RESOURCE_TYPE_ENVIRONMENT", resourceId: environment.id });
      expect(events).toEqual([event("RESOURCE_OPERATION_CREATE"), ...Array.from({ length: stepsToRunning }, () => event("RESOURCE_OPERATION_UPDATE_STATUS"))]);
      const end = await environmentEvents!.cancel();
      environmentEvents = undefined;
      // SIGTERM: buf cancels the call and prints it as a canceled error. (Its exit code, 1 << 3, is
      // lost: the npm wrapper that ran it dies of the same signal.)
      expect(end.signal).toBe("SIGTERM");
      expect(end.stderr).toMatch(/"code": "canceled"/);
    });

    setup.it("creates a service that starts at once, steps it to RUNNING and reads it back with GetService and ListServices", async () => {
      const { service: created } = await bufOk<{ service: Service }>(
        call("gitpod.v1.EnvironmentAutomationService/CreateService", {
          environmentId: environment.id,
          metadata: { reference: scenario.serviceReference, name: scenario.serviceName, triggeredBy: [{ manual: true }] },
          spec: { desiredPhase: "SERVICE_PHASE_RUNNING", commands: { start: scenario.startCommand, ready: scenario.readyCommand } },
        }),
      );
      service = created;
      expect(service).toMatchObject({
        environmentId: environment.id,
        metadata: {
          reference: scenario.serviceReference,
          name: scenario.serviceName,
          triggeredBy: [{ manual: true }],
          creator: { id: peer.server.bootstrap.adminUserId, principal: "PRINCIPAL_USER" },
        },
        spec: { specVersion: "1", desiredPhase: "SERVICE_PHASE_RUNNING", commands: { start: scenario.startCommand, ready: scenario.readyCommand } },
      });
      const phases: string[] = [];
      for (let i = 0; i < 10 && phases.at(-1) !== "SERVICE_PHASE_RUNNING"; i++) {
        await peer.step();
        const { service: read } = await bufOk<{ service: Service }>(call("gitpod.v1.EnvironmentAutomationService/GetService", { id: service.id }));
        phases.push(read.status?.phase ?? "none");
      }
      expect(distinct(phases)).toEqual(["SERVICE_PHASE_STARTING", "SERVICE_PHASE_RUNNING"]);
      const { services } = await bufOk<{ services: Service[] }>(call("gitpod.v1.EnvironmentAutomationService/ListServices", { filter: { environmentIds: [environment.id] } }));
      expect(services).toEqual([expect.objectContaining({ id: service.id, environmentId: environment.id, status: expect.objectContaining({ phase: "SERVICE_PHASE_RUNNING" }) })]);
      const { services: byReference } = await bufOk<{ services: Service[] }>(
        call("gitpod.v1.EnvironmentAutomationService/ListServices", { filter: { references: [scenario.serviceReference] } }),
      );
      expect(byReference.map((s) => s.id)).toEqual([service.id]);
    });

    setup.it("gets NOT_FOUND (exit code 5 << 3) with the server's message for an environment that does not exist", async () => {
      const { exitCode, grpcCode, error } = await bufError(call("gitpod.v1.EnvironmentService/GetEnvironment", { environmentId: scenario.unknownId }));
      expect([exitCode, grpcCode]).toEqual([5 << 3, 5]);
      expect(error).toEqual({ code: "not_found", message: `environment "${scenario.unknownId}" not found` });
    });

    setup.it("gets INVALID_ARGUMENT (3 << 3) for a runner name under 3 characters, with a buf.validate.Violations detail buf decodes from our schema", async () => {
      const { exitCode, error } = await bufError(call("gitpod.v1.RunnerService/CreateRunner", { name: "ab", provider: "RUNNER_PROVIDER_AWS_EC2" }));
      expect(exitCode).toBe(3 << 3);
      expect(error).toMatchObject({ code: "invalid_argument", message: "name: must be at least 3 characters" });
      expect(error.details).toHaveLength(1);
      expect(error.details![0]).toMatchObject({
        type: "buf.validate.Violations",
        value: expect.stringMatching(/^[A-Za-z0-9+/_-]+$/),
        debug: {
          violations: [
            expect.objectContaining({ ruleId: "string.min_len", message: "must be at least 3 characters", field: { elements: [expect.objectContaining({ fieldName: "name", fieldNumber: 1 })] } }),
          ],
        },
      });
      // Nothing was created.
      const { runners } = await bufOk<{ runners: Runner[] }>(call("gitpod.v1.RunnerService/ListRunners", {}));
      expect(runners).toHaveLength(2);
    });

    setup.it("gets ALREADY_EXISTS (6 << 3) for a second service with the same reference, UNAUTHENTICATED (16 << 3) for a wrong token", async () => {
      const duplicate = await bufError(
        call("gitpod.v1.EnvironmentAutomationService/CreateService", {
          environmentId: environment.id,
          metadata: { reference: scenario.serviceReference, name: "Another" },
          spec: { commands: { start: "true" } },
        }),
      );
      expect(duplicate.exitCode).toBe(6 << 3);
      expect(duplicate.error.code).toBe("already_exists");
      expect(duplicate.error.message).toContain(scenario.serviceReference);
      const wrongToken = await bufError(call("gitpod.v1.RunnerService/ListRunners", {}, { token: "not-a-token" }));
      expect(wrongToken.exitCode).toBe(16 << 3);
      expect(wrongToken.error.code).toBe("unauthenticated");
      const noToken = await bufError(call("gitpod.v1.RunnerService/ListRunners", {}, { token: undefined }));
      expect(noToken.error.code).toBe("unauthenticated");
    });

    setup.it("also takes the schema from the buf workspace directory itself (--schema <repository root>)", async () => {
      const { runner: got } = await bufOk<{ runner: Runner }>(call("gitpod.v1.RunnerService/GetRunner", { runnerId: runner.runnerId }, { schema: repoRoot }));
      expect(got.runnerId).toBe(runner.runnerId);
    });
  });
});
