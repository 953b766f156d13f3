// @grpc/grpc-js + @grpc/proto-loader as an independent gRPC peer (h2c), its client built from the
// .proto files alone (support/peer-grpc-js.ts: keepCase — snake_case field names —, longs and enums
// as strings, defaults, oneofs), against a fresh server with a manual clock: the runner →
// environment class → environment → service scenario with unary calls, the WatchEvents server
// stream, and errors as grpc.status codes with the server's details and its
// grpc-status-details-bin (google.rpc.Status carrying buf.validate.Violations).
import type * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as GrpcPeer from "./support/peer-grpc-js.js";
import type { GitpodServices, Message } from "./support/peer-grpc-js.js";
import { distinct, peerSetup, peerToken, phasesToRunning, scenario, startPeerServer, stepsToRunning, type PeerServer } from "./support/peer-server.js";

// The peer's libraries are imported in the setup, so that without them every test fails with the
// reason (a static import would fail the file before any test exists).
let lib: typeof GrpcPeer;
const bearer = (...a: Parameters<typeof GrpcPeer.bearer>) => lib.bearer(...a);
const decodeViolations = (...a: Parameters<typeof GrpcPeer.decodeViolations>) => lib.decodeViolations(...a);
const fails = (...a: Parameters<typeof GrpcPeer.fails>) => lib.fails(...a);
const ok = (...a: Parameters<typeof GrpcPeer.ok>) => lib.ok(...a);
const serverStream = (...a: Parameters<typeof GrpcPeer.serverStream>) => lib.serverStream(...a);
const statusDetailsOf = (...a: Parameters<typeof GrpcPeer.statusDetailsOf>) => lib.statusDetailsOf(...a);
const unary = (...a: Parameters<typeof GrpcPeer.unary>) => lib.unary(...a);

/** A google.protobuf.Timestamp as proto-loader decodes it with longs: String. */
const timestamp = (ms: number) => ({ seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 });
/** 2025-01-01T00:00:00Z, the manual clock's start. */
const clockStartTimestamp = timestamp(Date.UTC(2025, 0, 1));
const serviceNames = ["RunnerService", "RunnerConfigurationService", "EnvironmentService", "EnvironmentAutomationService", "EventService", "IdentityService"] as const;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Runner = Message & { runner_id: string };
type Environment = Message & { id: string; status: Message & { phase: string } };
type Service = Message & { id: string; status: Message & { phase: string } };

describe("peer: grpc-js + proto-loader", () => {
  describe("protocol: gRPC", () => {
    let services: GitpodServices;
    let definition: ReturnType<typeof GrpcPeer.loadGitpod>["definition"];
    let peer: PeerServer;
    let runners: grpc.Client;
    let configuration: grpc.Client;
    let environments: grpc.Client;
    let automations: grpc.Client;
    let events: grpc.Client;
    const md = () => bearer(peerToken);

    const setup = peerSetup("grpc-js + proto-loader", it);
    beforeAll(() =>
      setup.run(async () => {
        try {
          lib = await import("./support/peer-grpc-js.js");
        } catch (e) {
          throw new Error(
            `@grpc/grpc-js 1.14.7 and @grpc/proto-loader 0.8.1 (devDependencies of @gitpod-connect/interop) do not load — run \`npx -y pnpm@10.34.9 install\`: ${e instanceof Error ? e.message : String(e)}`,
            { cause: e },
          );
        }
        ({ services, definition } = lib.loadGitpod());
        peer = await startPeerServer();
        const dial = (ctor: grpc.ServiceClientConstructor) => new ctor(peer.target, lib.grpc.credentials.createInsecure());
        runners = dial(services.RunnerService);
        configuration = dial(services.RunnerConfigurationService);
        environments = dial(services.EnvironmentService);
        automations = dial(services.EnvironmentAutomationService);
        events = dial(services.EventService);
      }),
    );
    afterAll(async () => {
      for (const c of [runners, configuration, environments, automations, events]) c?.close();
      await peer?.close();
    });

    let runner: Runner;
    let classId: string;
    let environment: Environment;
    let service: Service;

    setup.it("builds the six services from the .proto files: gRPC paths and stream shapes as in the schema", () => {
      const runnerService = definition["gitpod.v1.RunnerService"] as grpc.ServiceDefinition;
      expect(Object.keys(runnerService)).toHaveLength(16);
      expect(runnerService["CreateRunner"]).toMatchObject({ path: "/gitpod.v1.RunnerService/CreateRunner", requestStream: false, responseStream: false });
      const eventService = definition["gitpod.v1.EventService"] as grpc.ServiceDefinition;
      expect(eventService["WatchEvents"]).toMatchObject({ path: "/gitpod.v1.EventService/WatchEvents", requestStream: false, responseStream: true });
      const methods = serviceNames.map((s) => Object.keys(definition[`gitpod.v1.${s}`] as grpc.ServiceDefinition).length);
      // Every RPC of the schema.
      expect(methods).toEqual([16, 21, 16, 17, 1, 1]);
    });

    setup.it("creates an AWS runner: snake_case fields, enums by name, timestamps from the manual clock, defaults filled in", async () => {
      const res = await ok(
        runners,
        "CreateRunner",
        {
          name: scenario.runnerName,
          provider: "RUNNER_PROVIDER_AWS_EC2",
          spec: { configuration: { region: scenario.region, release_channel: "RUNNER_RELEASE_CHANNEL_STABLE", auto_update: true } },
        },
        md(),
      );
      runner = res["runner"] as Runner;
      expect(runner.runner_id).toMatch(uuid);
      expect(runner).toMatchObject({
        name: scenario.runnerName,
        provider: "RUNNER_PROVIDER_AWS_EC2",
        kind: "RUNNER_KIND_REMOTE",
        created_at: clockStartTimestamp,
        creator: { id: peer.server.bootstrap.adminUserId, principal: "PRINCIPAL_USER" },
        // defaults: true — an unset string is "", not missing.
        runner_manager_id: "",
        spec: {
          desired_phase: "RUNNER_PHASE_ACTIVE",
          variant: "RUNNER_VARIANT_STANDARD",
          configuration: { region: scenario.region, release_channel: "RUNNER_RELEASE_CHANNEL_STABLE", auto_update: true },
        },
        status: { phase: "RUNNER_PHASE_CREATED" },
      });
      // The metrics password is write-only; the deprecated access token is always empty.
      expect(res["access_token"]).toBe("");
      expect(res["exchange_token"]).toMatch(/\S{16,}/);
    });

    setup.it("reads the runner back with GetRunner and ListRunners (filtered by provider and creator)", async () => {
      const got = await ok(runners, "GetRunner", { runner_id: runner.runner_id }, md());
      expect(got["runner"]).toEqual(runner);
      const all = await ok(runners, "ListRunners", {}, md());
      expect((all["runners"] as Runner[]).map((r) => r.runner_id)).toEqual([peer.server.bootstrap.runnerId, runner.runner_id]);
      expect(all["pagination"]).toEqual({ next_token: "" });
      const filtered = await ok(runners, "ListRunners", { filter: { providers: ["RUNNER_PROVIDER_AWS_EC2"], creator_ids: [peer.server.bootstrap.adminUserId] } }, md());
      // The bootstrap runner is an AWS runner of the admin's too.
      expect((filtered["runners"] as Runner[]).map((r) => r.runner_id)).toEqual([peer.server.bootstrap.runnerId, runner.runner_id]);
      const local = await ok(runners, "ListRunners", { filter: { kinds: ["RUNNER_KIND_LOCAL"] } }, md());
      expect(local["runners"]).toEqual([]);
    });

    setup.it("adds an environment class to the runner; EnvironmentService.ListEnvironmentClasses lists it after the bootstrap class", async () => {
      const configurationValues = [
        { key: "cpu", value: "4" },
        { key: "memory", value: "16" },
      ];
      const created = await ok(
        configuration,
        "CreateEnvironmentClass",
        { runner_id: runner.runner_id, display_name: scenario.className, description: scenario.classDescription, configuration: configurationValues },
        md(),
      );
      classId = created["id"] as string;
      expect(classId).toMatch(uuid);
      const listed = await ok(environments, "ListEnvironmentClasses", {}, md());
      expect(listed["environment_classes"]).toEqual([
        expect.objectContaining({ id: peer.server.bootstrap.environmentClassId, display_name: "Small", enabled: true }),
        { id: classId, display_name: scenario.className, description: scenario.classDescription, configuration: configurationValues, runner_id: runner.runner_id, enabled: true },
      ]);
      const got = await ok(configuration, "GetEnvironmentClass", { environment_class_id: classId }, md());
      expect(got["environment_class"]).toMatchObject({ id: classId, runner_id: runner.runner_id });
    });

    setup.it("creates an environment of that class while watching the organization's environment events, steps it to RUNNING and sees every step streamed", async () => {
      const stream = serverStream(events, "WatchEvents", { organization: true, resource_type_filters: [{ resource_type: "RESOURCE_TYPE_ENVIRONMENT" }] }, md());
      const received: Message[] = [];
      stream.on("data", (m: Message) => received.push(m));
      const ended = new Promise<grpc.ServiceError | "ended">((resolve) => {
        stream.on("error", (e: grpc.ServiceError) => resolve(e));
        stream.on("end", () => resolve("ended"));
      });
      // The response head (grpc-js: the "metadata" event) comes before any event: the subscription exists.
      await new Promise<void>((resolve) => stream.once("metadata", () => resolve()));

      const res = await ok(
        environments,
        "CreateEnvironment",
        {
          name: scenario.environmentName,
          spec: {
            machine: { class: classId },
            // A oneof member set by its field name (EnvironmentInitializer.Spec.spec: context_url).
            content: { initializer: { specs: [{ context_url: { url: scenario.contextUrl } }] } },
            ports: [{ port: 3000, name: "web", admission: "ADMISSION_LEVEL_ORGANIZATION" }],
          },
        },
        md(),
      );
      environment = res["environment"] as Environment;
      expect(environment).toMatchObject({
        metadata: { name: scenario.environmentName, runner_id: runner.runner_id, original_context_url: scenario.contextUrl, created_at: clockStartTimestamp },
        // uint64 with longs: String; oneofs: true names the member that is set.
        spec: { spec_version: "1", desired_phase: "ENVIRONMENT_PHASE_RUNNING", content: { initializer: { specs: [{ spec: "context_url", context_url: { url: scenario.contextUrl } }] } } },
        status: { phase: "ENVIRONMENT_PHASE_CREATING", status_version: "1" },
      });

      const phases: string[] = [];
      for (let i = 0; i < stepsToRunning; i++) {
        await peer.step();
        const read = await ok(environments, "GetEnvironment", { environment_id: environment.id }, md());
        environment = read["environment"] as Environment;
        phases.push(environment.status.phase);
      }
      expect(distinct(phases)).toEqual(phasesToRunning);
      expect(environment.status).toMatchObject({
        status_version: String(1 + stepsToRunning),
        content: { git: { clone_url: scenario.cloneUrl, branch: "main" } },
        environment_urls: { ports: [{ port: 3000, url: `${peer.url}/environments/${environment.id}/ports/3000/` }] },
      });

      await expect.poll(() => received.length, { timeout: 5_000, interval: 10 }).toBeGreaterThanOrEqual(1 + stepsToRunning);
      const event = (operation: string) => ({ operation, resource_type: "RESOURCE_TYPE_ENVIRONMENT", resource_id: environment.id });
      expect(received).toEqual([event("RESOURCE_OPERATION_CREATE"), ...Array.from({ length: stepsToRunning }, () => event("RESOURCE_OPERATION_UPDATE_STATUS"))]);
      stream.cancel();
      const end = await ended;
      expect(end === "ended" ? end : end.code).toBe(lib.grpc.status.CANCELLED);
    });

    setup.it("creates a service that starts at once, steps it to RUNNING and reads it back with GetService and ListServices", async () => {
      const created = await ok(
        automations,
        "CreateService",
        {
          environment_id: environment.id,
          metadata: { reference: scenario.serviceReference, name: scenario.serviceName, triggered_by: [{ manual: true }] },
          spec: { desired_phase: "SERVICE_PHASE_RUNNING", commands: { start: scenario.startCommand, ready: scenario.readyCommand } },
        },
        md(),
      );
      service = created["service"] as Service;
      expect(service).toMatchObject({
        environment_id: environment.id,
        metadata: {
          reference: scenario.serviceReference,
          name: scenario.serviceName,
          creator: { id: peer.server.bootstrap.adminUserId, principal: "PRINCIPAL_USER" },
          // One second of steps after the clock's start.
          created_at: timestamp(peer.clock!.nowMs()),
          // AutomationTrigger's oneof: the member that is set is named.
          triggered_by: [expect.objectContaining({ trigger: "manual", manual: true })],
        },
        spec: { spec_version: "1", desired_phase: "SERVICE_PHASE_RUNNING", commands: { start: scenario.startCommand, ready: scenario.readyCommand, stop: "" } },
      });
      const phases: string[] = [];
      for (let i = 0; i < 10 && phases.at(-1) !== "SERVICE_PHASE_RUNNING"; i++) {
        await peer.step();
        const read = await ok(automations, "GetService", { id: service.id }, md());
        phases.push((read["service"] as Service).status.phase);
      }
      expect(distinct(phases)).toEqual(["SERVICE_PHASE_STARTING", "SERVICE_PHASE_RUNNING"]);
      const listed = await ok(automations, "ListServices", { filter: { environment_ids: [environment.id] } }, md());
      expect((listed["services"] as Service[]).map((s) => [s.id, s.status.phase])).toEqual([[service.id, "SERVICE_PHASE_RUNNING"]]);
    });

    setup.it("gets NOT_FOUND with the server's message for an environment that does not exist, and for a stream scoped to it", async () => {
      const error = await fails(environments, "GetEnvironment", { environment_id: scenario.unknownId }, md());
      expect(error.code).toBe(lib.grpc.status.NOT_FOUND);
      expect(error.details).toBe(`environment "${scenario.unknownId}" not found`);
      const stream = serverStream(events, "WatchEvents", { environment_id: scenario.unknownId }, md());
      stream.on("data", () => {});
      const streamError = await new Promise<grpc.ServiceError>((resolve) => stream.on("error", resolve));
      expect(streamError.code).toBe(lib.grpc.status.NOT_FOUND);
      expect(streamError.details).toContain(scenario.unknownId);
    });

    setup.it("gets INVALID_ARGUMENT for a runner name under 3 characters: details name the field, grpc-status-details-bin carries the violation", async () => {
      const error = await fails(runners, "CreateRunner", { name: "ab", provider: "RUNNER_PROVIDER_AWS_EC2" }, md());
      expect(error.code).toBe(lib.grpc.status.INVALID_ARGUMENT);
      // Found here and fixed in the server: connect-node percent-encodes grpc-message with
      // encodeURIComponent (":" → "%3A") and grpc-js decodes it with decodeURI, which leaves reserved
      // characters (: / , ; ? @ & = + $ #) encoded, so a grpc-js user saw "name%3A must …". The
      // server now sends the gRPC spec's minimal encoding (server src/http/grpc-message.ts).
      expect(error.details).toBe("name: must be at least 3 characters");
      const status = statusDetailsOf(error);
      expect(status).toMatchObject({ code: lib.grpc.status.INVALID_ARGUMENT, message: "name: must be at least 3 characters" });
      expect(status!.details.map((d) => d.typeUrl)).toEqual(["type.googleapis.com/buf.validate.Violations"]);
      expect(decodeViolations(status!.details[0]!.value)).toEqual([{ field: "name", ruleId: "string.min_len", message: "must be at least 3 characters" }]);
      // The server's own checks beyond protovalidate are invalid_argument too, naming the path.
      const noClass = await fails(environments, "CreateEnvironment", { spec: { content: { initializer: { specs: [{ context_url: { url: scenario.contextUrl } }] } } } }, md());
      expect(noClass.code).toBe(lib.grpc.status.INVALID_ARGUMENT);
      expect(noClass.details).toContain("spec.machine.class");
    });

    setup.it("gets ALREADY_EXISTS for a second service with the same reference, UNAUTHENTICATED without or with a wrong token", async () => {
      const duplicate = await fails(
        automations,
        "CreateService",
        { environment_id: environment.id, metadata: { reference: scenario.serviceReference, name: "Another" }, spec: { commands: { start: "true" } } },
        md(),
      );
      expect(duplicate.code).toBe(lib.grpc.status.ALREADY_EXISTS);
      expect(duplicate.details).toContain(scenario.serviceReference);
      const noToken = await unary(runners, "ListRunners", {}, bearer(undefined));
      expect(noToken.ok ? "ok" : noToken.error.code).toBe(lib.grpc.status.UNAUTHENTICATED);
      const wrongToken = await unary(runners, "ListRunners", {}, bearer("not-a-token"));
      expect(wrongToken.ok ? "ok" : wrongToken.error.code).toBe(lib.grpc.status.UNAUTHENTICATED);
    });
  });
});
