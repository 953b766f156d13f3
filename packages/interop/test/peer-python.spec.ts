// Python over gRPC as an independent peer: Debian's python3 with grpcio and protobuf, and our
// schema compiled for it by Debian's protoc and grpc_python_plugin (support/python-schema.ts).
// python/grpc_peer.py runs in its own process against a server this test started — on the wall
// clock with a short step delay, since the script polls on its own — creates a runner, an
// environment class, an environment (until RUNNING) and a service (until RUNNING), reads them back
// and prints a JSON summary, which the test checks; then a connect-es client of our own checks,
// independently, that what Python created is really on the server. And the errors Python sees.
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { EnvironmentPhase, EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { EnvironmentAutomationService, ServicePhase } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { peerSetup, peerToken, scenario, startPeerServer, type PeerServer } from "./support/peer-server.js";
import { pythonPeerMissing, pythonSchemaDir, runPython, type PythonResult } from "./support/python-schema.js";

/** The simulated runner's step delay for this peer: short, on the wall clock. */
const stepDelayMs = 20;
const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

const config = { ...scenario, timeoutSeconds: 20 };

interface Json {
  [key: string]: unknown;
}
interface Summary {
  createdRunner: Json & { runnerId: string };
  exchangeTokenLength: number;
  gotRunner: Json;
  listedRunnerIds: string[];
  environmentClassId: string;
  environmentClasses: { id: string; displayName: string; runnerId: string; enabled: boolean }[];
  createdEnvironment: Json & { id: string };
  machineClass: string;
  environmentPhases: string[];
  runningEnvironment: Json;
  listedEnvironmentIds: string[];
  createdService: Json & { id: string };
  servicePhases: string[];
  runningService: Json;
  listedServiceIds: string[];
  versions: { python: string; grpcio: string; protobuf: string };
}
interface Failure {
  code: string;
  details: string;
  status?: { code: number; message: string; detailTypes: string[] };
  violations?: { field: string; ruleId: string; message: string }[];
}

/** The JSON the script printed, or a failure that shows its stderr. */
function printed<T>(result: PythonResult): T {
  expect(result.code, `grpc_peer.py exited ${result.code}:\n${result.stderr}\n${result.stdout}`).toBe(0);
  return JSON.parse(result.stdout) as T;
}

describe("peer: Python grpcio", () => {
  describe("protocol: gRPC", () => {
    let peer: PeerServer;
    let summary: Summary;

    // Fails every test, with what to install, when Debian's python3, protoc, the gRPC plugin or the modules are missing.
    const setup = peerSetup("Python grpcio", it);
    beforeAll(() =>
      setup.run(async () => {
        const missing = pythonPeerMissing();
        if (missing) throw new Error(`the Python peer needs ${missing}`);
        pythonSchemaDir();
        peer = await startPeerServer({ stepDelayMs });
      }),
    );
    afterAll(() => peer?.close());

    /** A connect-es client of the same server (Connect JSON), to check what Python did. */
    const ours = () => {
      const bearer: Interceptor = (next) => (req) => {
        req.header.set("authorization", `Bearer ${peerToken}`);
        return next(req);
      };
      const transport = createConnectTransport({ baseUrl: peer.url, httpVersion: "1.1", interceptors: [bearer] });
      return {
        runners: createClient(RunnerService, transport),
        environments: createClient(EnvironmentService, transport),
        automations: createClient(EnvironmentAutomationService, transport),
      };
    };

    setup.it("creates a runner, an environment class, an environment (polled until RUNNING) and a service (polled until RUNNING), and reads each back", async () => {
      summary = printed<Summary>(await runPython("grpc_peer.py", [peer.target, peerToken, "scenario"], JSON.stringify(config)));
      const { bootstrap } = peer.server;

      // The runner, as MessageToDict renders it: camelCase, enums by name.
      const runnerId = summary.createdRunner.runnerId;
      expect(runnerId).not.toBe(bootstrap.runnerId);
      expect(summary.createdRunner).toMatchObject({
        name: scenario.runnerName,
        kind: "RUNNER_KIND_REMOTE",
        provider: "RUNNER_PROVIDER_AWS_EC2",
        createdAt: expect.stringMatching(rfc3339),
        creator: { id: bootstrap.adminUserId, principal: "PRINCIPAL_USER" },
        spec: { configuration: { region: scenario.region, releaseChannel: "RUNNER_RELEASE_CHANNEL_STABLE", autoUpdate: true } },
        status: { phase: "RUNNER_PHASE_CREATED" },
      });
      expect(summary.exchangeTokenLength).toBeGreaterThanOrEqual(16);
      expect(summary.gotRunner).toEqual(summary.createdRunner);
      expect(summary.listedRunnerIds).toEqual([bootstrap.runnerId, runnerId]);

      expect(summary.environmentClasses).toEqual([
        { id: bootstrap.environmentClassId, displayName: "Small", runnerId: bootstrap.runnerId, enabled: true },
        { id: summary.environmentClassId, displayName: scenario.className, runnerId, enabled: true },
      ]);

      expect(summary.createdEnvironment).toMatchObject({
        metadata: { name: scenario.environmentName, runnerId, originalContextUrl: scenario.contextUrl, organizationId: bootstrap.organizationId },
        spec: { specVersion: "1", desiredPhase: "ENVIRONMENT_PHASE_RUNNING", machine: { class: summary.environmentClassId } },
        status: { phase: "ENVIRONMENT_PHASE_CREATING" },
      });
      expect(summary.machineClass).toBe(summary.environmentClassId);
      // Polling every 20 ms with 20 ms steps: CREATING first, RUNNING last, nothing but STARTING between.
      expect(summary.environmentPhases[0]).toBe("ENVIRONMENT_PHASE_CREATING");
      expect(summary.environmentPhases.at(-1)).toBe("ENVIRONMENT_PHASE_RUNNING");
      expect(new Set(summary.environmentPhases.slice(1, -1))).toEqual(new Set(summary.environmentPhases.length > 2 ? ["ENVIRONMENT_PHASE_STARTING"] : []));
      expect(summary.runningEnvironment).toMatchObject({
        id: summary.createdEnvironment.id,
        status: { phase: "ENVIRONMENT_PHASE_RUNNING", statusVersion: "11", content: { git: { cloneUrl: scenario.cloneUrl, branch: "main" } } },
      });
      expect(summary.listedEnvironmentIds).toEqual([summary.createdEnvironment.id]);

      expect(summary.createdService).toMatchObject({
        environmentId: summary.createdEnvironment.id,
        metadata: { reference: scenario.serviceReference, name: scenario.serviceName, triggeredBy: [{ manual: true }], creator: { id: bootstrap.adminUserId } },
        spec: { specVersion: "1", desiredPhase: "SERVICE_PHASE_RUNNING", commands: { start: scenario.startCommand, ready: scenario.readyCommand } },
      });
      expect(summary.servicePhases.at(-1)).toBe("SERVICE_PHASE_RUNNING");
      expect(summary.servicePhases.filter((p) => !["SERVICE_PHASE_UNSPECIFIED", "SERVICE_PHASE_STARTING", "SERVICE_PHASE_RUNNING"].includes(p))).toEqual([]);
      expect(summary.runningService).toMatchObject({ id: summary.createdService.id, status: { phase: "SERVICE_PHASE_RUNNING" } });
      expect(summary.listedServiceIds).toEqual([summary.createdService.id]);
      expect(summary.versions).toMatchObject({ python: expect.stringMatching(/^3\./), grpcio: expect.stringMatching(/^\d/), protobuf: expect.stringMatching(/^\d/) });
    });

    setup.it("left exactly that on the server, as a connect-es client sees it", async () => {
      const client = ours();
      const { runner } = await client.runners.getRunner({ runnerId: summary.createdRunner.runnerId });
      expect(runner).toMatchObject({ name: scenario.runnerName, provider: RunnerProvider.AWS_EC2 });
      const { environment } = await client.environments.getEnvironment({ environmentId: summary.createdEnvironment.id });
      expect(environment?.status?.phase).toBe(EnvironmentPhase.RUNNING);
      expect(environment?.metadata?.runnerId).toBe(summary.createdRunner.runnerId);
      expect(environment?.spec?.machine?.class).toBe(summary.environmentClassId);
      const { services } = await client.automations.listServices({ filter: { environmentIds: [summary.createdEnvironment.id] } });
      expect(services.map((s) => [s.id, s.metadata?.reference, s.status?.phase])).toEqual([[summary.createdService.id, scenario.serviceReference, ServicePhase.RUNNING]]);
      // And the server's store holds them as well.
      expect((await client.runners.listRunners({})).runners).toHaveLength(2);
    });

    setup.it("sees NOT_FOUND, INVALID_ARGUMENT (with the buf.validate.Violations of grpc-status-details-bin) and UNAUTHENTICATED, with the server's messages", async () => {
      const failures = printed<Record<string, Failure>>(await runPython("grpc_peer.py", [peer.target, peerToken, "errors"], JSON.stringify(config)));
      expect(failures["getUnknownEnvironment"]).toEqual({ code: "NOT_FOUND", details: `environment "${scenario.unknownId}" not found` });
      expect(failures["getUnknownService"]).toMatchObject({ code: "NOT_FOUND", details: expect.stringContaining(scenario.unknownId) });
      // grpcio percent-decodes grpc-message completely (unlike grpc-js): the colon arrives as sent.
      expect(failures["shortRunnerName"]).toEqual({
        code: "INVALID_ARGUMENT",
        details: "name: must be at least 3 characters",
        status: { code: 3, message: "name: must be at least 3 characters", detailTypes: ["type.googleapis.com/buf.validate.Violations"] },
        violations: [{ field: "name", ruleId: "string.min_len", message: "must be at least 3 characters" }],
      });
      expect(failures["wrongToken"]).toMatchObject({ code: "UNAUTHENTICATED", details: expect.stringMatching(/token/) });
    });
  });
});
