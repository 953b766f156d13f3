// Plain fetch with hand-written JSON as an independent peer: what a curl user sends after reading
// the docs — POST /gitpod.v1.X/Method (and /api/gitpod.v1.X/Method) with content-type
// application/json and a bearer token; Connect GET for the reads; a Connect stream (WatchEvents)
// framed by hand; gRPC-web with the JSON codec framed by hand — against one server with a manual
// clock. It checks what is on the wire: status codes, content types, proto3 JSON (camelCase names,
// enums by name, 64-bit integers as strings, RFC 3339 timestamps) and Connect's error JSON.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectGet, frame, frames, framesOf, jsonKeys, postJson, requireFetch, trailerMap, utf8, type Answer } from "./support/peer-fetch.js";
import { clockStart, distinct, peerSetup, peerToken, phasesToRunning, scenario, startPeerServer, stepsToRunning, type PeerServer } from "./support/peer-server.js";

interface Json {
  [key: string]: unknown;
}
type Runner = Json & { runnerId: string };
type Environment = Json & { id: string; status: Json & { phase: string } };
type Service = Json & { id: string; status?: Json & { phase?: string } };

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** proto3 JSON field names: lowerCamelCase, never snake_case. */
const camelCase = /^[a-z][A-Za-z0-9]*$/;

let peer: PeerServer;
/** `token`: the admin's by default; null sends no Authorization header. */
const post = (path: string, body: string, token: string | null = peerToken, headers: Record<string, string> = {}) => postJson(peer.url, path, body, token, headers);
const get = (path: string, message: string, token: string | null = peerToken) => connectGet(peer.url, path, message, token);

/** The JSON body of a 200 answer. */
function ok<T = Json>(a: Answer): T {
  expect(a.status, a.text).toBe(200);
  expect(a.headers.get("content-type")).toBe("application/json");
  return a.json as T;
}

let runner: Runner;
let classId: string;
let environment: Environment;
let service: Service;

// Fails every test, with the reason, when this Node has no fetch.
const setup = peerSetup("fetch", it);

describe("peer: fetch (hand-written JSON)", () => {
  beforeAll(() =>
    setup.run(async () => {
      requireFetch();
      peer = await startPeerServer();
    }),
  );
  afterAll(() => peer?.close());

  describe("protocol: Connect JSON", () => {
    setup.it("creates a runner: 200 application/json, camelCase names, enums by name, RFC 3339 timestamps, no default values written", async () => {
      const res = ok<{ runner: Runner; exchangeToken: string }>(
        await post(
          "/gitpod.v1.RunnerService/CreateRunner",
          `{
            "name": "${scenario.runnerName}",
            "provider": "RUNNER_PROVIDER_AWS_EC2",
            "spec": { "configuration": { "region": "${scenario.region}", "releaseChannel": "RUNNER_RELEASE_CHANNEL_STABLE", "autoUpdate": true } }
          }`,
        ),
      );
      runner = res.runner;
      expect(runner.runnerId).toMatch(uuid);
      expect(res).toEqual({
        runner: {
          runnerId: runner.runnerId,
          createdAt: clockStart,
          updatedAt: clockStart,
          name: scenario.runnerName,
          spec: {
            desiredPhase: "RUNNER_PHASE_ACTIVE",
            configuration: { region: scenario.region, releaseChannel: "RUNNER_RELEASE_CHANNEL_STABLE", autoUpdate: true },
            variant: "RUNNER_VARIANT_STANDARD",
          },
          status: { updatedAt: clockStart, phase: "RUNNER_PHASE_CREATED", message: expect.any(String) },
          creator: { id: peer.server.bootstrap.adminUserId, principal: "PRINCIPAL_USER" },
          kind: "RUNNER_KIND_REMOTE",
          provider: "RUNNER_PROVIDER_AWS_EC2",
        },
        // The deprecated accessToken is empty, and so left out.
        exchangeToken: expect.stringMatching(/\S{16,}/),
      });
      expect(jsonKeys(res).filter((k) => !camelCase.test(k))).toEqual([]);
    });

    setup.it("reads it back under both path prefixes, /gitpod.v1.… and /api/gitpod.v1.…, with the same answer; snake_case request keys work too", async () => {
      const direct = ok(await post("/gitpod.v1.RunnerService/GetRunner", `{"runnerId":"${runner.runnerId}"}`));
      const underApi = ok(await post("/api/gitpod.v1.RunnerService/GetRunner", `{"runner_id":"${runner.runnerId}"}`));
      expect(direct).toEqual({ runner });
      expect(underApi).toEqual(direct);
      const listed = ok<{ runners: Runner[]; pagination: Json }>(await post("/api/gitpod.v1.RunnerService/ListRunners", `{"filter":{"providers":["RUNNER_PROVIDER_AWS_EC2"]}}`));
      expect(listed.runners.map((r) => r.runnerId)).toEqual([peer.server.bootstrap.runnerId, runner.runnerId]);
      // The last page: an empty next token is a default value, so pagination is an empty object.
      expect(listed.pagination).toEqual({});
    });

    setup.it("adds an environment class to the runner and lists the organization's classes", async () => {
      const created = ok<{ id: string }>(
        await post(
          "/gitpod.v1.RunnerConfigurationService/CreateEnvironmentClass",
          `{"runnerId":"${runner.runnerId}","displayName":"${scenario.className}","description":"${scenario.classDescription}",
            "configuration":[{"key":"cpu","value":"4"},{"key":"memory","value":"16"}]}`,
        ),
      );
      classId = created.id;
      expect(classId).toMatch(uuid);
      const { environmentClasses } = ok<{ environmentClasses: Json[] }>(await post("/gitpod.v1.EnvironmentService/ListEnvironmentClasses", "{}"));
      expect(environmentClasses.map((c) => [c["id"], c["displayName"], c["runnerId"], c["enabled"]])).toEqual([
        [peer.server.bootstrap.environmentClassId, "Small", peer.server.bootstrap.runnerId, true],
        [classId, scenario.className, runner.runnerId, true],
      ]);
    });

    setup.it("creates an environment on that class: int64 versions as strings, the creation time in RFC 3339", async () => {
      const res = ok<{ environment: Environment }>(
        await post(
          "/gitpod.v1.EnvironmentService/CreateEnvironment",
          `{"name":"${scenario.environmentName}",
            "spec":{"machine":{"class":"${classId}"},
                    "content":{"initializer":{"specs":[{"contextUrl":{"url":"${scenario.contextUrl}"}}]}},
                    "ports":[{"port":3000,"name":"web","admission":"ADMISSION_LEVEL_ORGANIZATION"}],
                    "timeout":{"disconnected":"7200s"}}}`,
        ),
      );
      environment = res.environment;
      expect(environment).toMatchObject({
        metadata: { name: scenario.environmentName, runnerId: runner.runnerId, createdAt: clockStart, lastStartedAt: clockStart, originalContextUrl: scenario.contextUrl },
        // uint64 spec_version and status_version: JSON strings; a Duration: "7200s".
        spec: { specVersion: "1", desiredPhase: "ENVIRONMENT_PHASE_RUNNING", timeout: { disconnected: "7200s" }, ports: [{ port: 3000, name: "web", admission: "ADMISSION_LEVEL_ORGANIZATION" }] },
        status: { statusVersion: "1", phase: "ENVIRONMENT_PHASE_CREATING" },
      });
      expect(jsonKeys(res, "", ["environment.metadata.annotations"]).filter((k) => !camelCase.test(k))).toEqual([]);
    });

    setup.it(`steps it to RUNNING (${stepsToRunning} steps), reading it after each step`, async () => {
      const phases: string[] = [];
      for (let i = 0; i < stepsToRunning; i++) {
        await peer.step();
        environment = ok<{ environment: Environment }>(await post("/gitpod.v1.EnvironmentService/GetEnvironment", `{"environmentId":"${environment.id}"}`)).environment;
        phases.push(environment.status.phase);
      }
      expect(distinct(phases)).toEqual(phasesToRunning);
      expect(environment.status).toMatchObject({
        statusVersion: String(1 + stepsToRunning),
        content: { git: { cloneUrl: scenario.cloneUrl, branch: "main" } },
        environmentUrls: { ports: [{ port: 3000, url: `${peer.url}/environments/${environment.id}/ports/3000/` }] },
      });
      // The steps took the server's manual clock one second on.
      expect(environment.status["machine"]).toBeDefined();
    });

    setup.it("watches the environment's events over a Connect stream (application/connect+json, framed by hand) while a service is created and started", async () => {
      const abort = new AbortController();
      const res = await fetch(`${peer.url}/gitpod.v1.EventService/WatchEvents`, {
        method: "POST",
        headers: { "content-type": "application/connect+json", "connect-protocol-version": "1", authorization: `Bearer ${peerToken}` },
        body: frame(0, `{"environmentId":"${environment.id}","resourceTypeFilters":[{"resourceType":"RESOURCE_TYPE_SERVICE"}]}`),
        signal: abort.signal,
      });
      // fetch resolves with the head, which the server sends before any event.
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/connect+json");
      const stream = frames(res.body!);

      service = ok<{ service: Service }>(
        await post(
          "/gitpod.v1.EnvironmentAutomationService/CreateService",
          `{"environmentId":"${environment.id}",
            "metadata":{"reference":"${scenario.serviceReference}","name":"${scenario.serviceName}","triggeredBy":[{"manual":true}]},
            "spec":{"desiredPhase":"SERVICE_PHASE_RUNNING","commands":{"start":"${scenario.startCommand}","ready":"${scenario.readyCommand}"}}}`,
        ),
      ).service;
      expect(service).toMatchObject({
        environmentId: environment.id,
        metadata: { reference: scenario.serviceReference, name: scenario.serviceName, triggeredBy: [{ manual: true }], createdAt: "2025-01-01T00:00:01Z" },
        spec: { specVersion: "1", desiredPhase: "SERVICE_PHASE_RUNNING" },
      });
      const phases: string[] = [];
      for (let i = 0; i < 10 && phases.at(-1) !== "SERVICE_PHASE_RUNNING"; i++) {
        await peer.step();
        const read = ok<{ service: Service }>(await post("/gitpod.v1.EnvironmentAutomationService/GetService", `{"id":"${service.id}"}`));
        phases.push(read.service.status?.phase ?? "none");
      }
      expect(distinct(phases)).toEqual(["SERVICE_PHASE_STARTING", "SERVICE_PHASE_RUNNING"]);

      // Read until the stream is quiet: with the manual clock at rest nothing else happens.
      const events: Json[] = [];
      let pending = stream.next();
      pending.catch(() => {});
      for (;;) {
        const next = await Promise.race([pending, new Promise<"quiet">((resolve) => setTimeout(() => resolve("quiet"), 300))]);
        if (next === "quiet") break;
        if (next.done) throw new Error(`the stream ended after ${events.length} events`);
        expect(next.value.flags, "a message frame, not the end of the stream").toBe(0);
        events.push(JSON.parse(utf8(next.value.payload)) as Json);
        pending = stream.next();
        pending.catch(() => {});
      }
      expect(events.every((e) => e["resourceType"] === "RESOURCE_TYPE_SERVICE" && e["resourceId"] === service.id)).toBe(true);
      // The creation, then one UPDATE_STATUS per phase — and nothing else. (Found here and fixed in
      // the server: a step that changed only bookkeeping, leaving the Service message as it was,
      // used to be streamed as RESOURCE_OPERATION_UPDATE too.)
      const operations = events.map((e) => e["operation"]);
      expect(operations).toEqual(["RESOURCE_OPERATION_CREATE", ...distinct(phases).map(() => "RESOURCE_OPERATION_UPDATE_STATUS")]);
      abort.abort();
      await expect(pending).rejects.toThrow();
    });

    setup.it("reads the service back with GetService and ListServices", async () => {
      const { service: got } = ok<{ service: Service }>(await post("/gitpod.v1.EnvironmentAutomationService/GetService", `{"id":"${service.id}"}`));
      expect(got).toMatchObject({ id: service.id, environmentId: environment.id, metadata: service.metadata, status: { phase: "SERVICE_PHASE_RUNNING" } });
      const { services } = ok<{ services: Service[] }>(await post("/gitpod.v1.EnvironmentAutomationService/ListServices", `{"filter":{"environmentIds":["${environment.id}"]}}`));
      expect(services).toEqual([got]);
    });

    setup.it('answers 404 {"code":"not_found","message":…} for an environment that does not exist', async () => {
      const res = await post("/gitpod.v1.EnvironmentService/GetEnvironment", `{"environmentId":"${scenario.unknownId}"}`);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(res.json).toEqual({ code: "not_found", message: `environment "${scenario.unknownId}" not found` });
    });

    setup.it("answers 400 invalid_argument naming the field, with a buf.validate.Violations detail (base64 protobuf plus its JSON as debug)", async () => {
      const res = await post("/gitpod.v1.RunnerService/CreateRunner", `{"name":"ab","provider":"RUNNER_PROVIDER_AWS_EC2"}`);
      expect(res.status).toBe(400);
      const error = res.json as { code: string; message: string; details: { type: string; value: string; debug?: { violations?: Json[] } }[] };
      expect(error).toMatchObject({ code: "invalid_argument", message: "name: must be at least 3 characters" });
      expect(error.details).toHaveLength(1);
      const [detail] = error.details;
      expect(detail!.type).toBe("buf.validate.Violations");
      // The value is the protobuf binary of the Violations, base64: it holds the rule id and the field name.
      const bytes = Buffer.from(detail!.value, "base64");
      expect(bytes.includes("string.min_len")).toBe(true);
      expect(bytes.includes("name")).toBe(true);
      expect(detail!.debug?.violations).toEqual([
        expect.objectContaining({ ruleId: "string.min_len", message: "must be at least 3 characters", field: { elements: [expect.objectContaining({ fieldNumber: 1, fieldName: "name" })] } }),
      ]);
    });

    setup.it("answers 400 for malformed JSON and for an enum name the enum does not have, and ignores unknown keys", async () => {
      const malformed = await post("/gitpod.v1.RunnerService/ListRunners", `{"filter":`);
      expect(malformed.status).toBe(400);
      expect(malformed.json).toMatchObject({ code: "invalid_argument", message: expect.stringContaining("JSON") });
      const unknownEnum = await post("/gitpod.v1.RunnerService/ListRunners", `{"filter":{"kinds":["REMOTE"]}}`);
      expect(unknownEnum.status).toBe(400);
      expect(unknownEnum.json).toMatchObject({ code: "invalid_argument", message: expect.stringContaining("filter.kinds[0]") });
      const unknownKey = ok<{ runners: Runner[] }>(await post("/gitpod.v1.RunnerService/ListRunners", `{"filter":{"providers":["RUNNER_PROVIDER_AWS_EC2"]},"fromANewerSchema":1}`));
      expect(unknownKey.runners).toHaveLength(2);
    });

    setup.it("answers 401 unauthenticated without or with a wrong token, 409 already_exists for a second service with the same reference", async () => {
      for (const token of [null, "not-a-token"]) {
        const res = await post("/gitpod.v1.RunnerService/ListRunners", "{}", token);
        expect(res.status, String(token)).toBe(401);
        expect(res.json, String(token)).toMatchObject({ code: "unauthenticated" });
      }
      const duplicate = await post(
        "/gitpod.v1.EnvironmentAutomationService/CreateService",
        `{"environmentId":"${environment.id}","metadata":{"reference":"${scenario.serviceReference}","name":"Another"},"spec":{"commands":{"start":"true"}}}`,
      );
      expect(duplicate.status).toBe(409);
      expect(duplicate.json).toMatchObject({ code: "already_exists", message: expect.stringContaining(scenario.serviceReference) });
    });

    setup.it("answers 415 for a body that is not JSON or protobuf, 404 for a method the service does not have", async () => {
      const text = await post("/gitpod.v1.RunnerService/ListRunners", "{}", peerToken, { "content-type": "text/plain" });
      expect(text.status).toBe(415);
      const unknown = await post("/gitpod.v1.RunnerService/NoSuchMethod", "{}");
      expect(unknown.status).toBe(404);
    });

    setup.it("ends a Connect stream scoped to an unknown environment with an end-of-stream frame carrying not_found", async () => {
      const res = await fetch(`${peer.url}/gitpod.v1.EventService/WatchEvents`, {
        method: "POST",
        headers: { "content-type": "application/connect+json", "connect-protocol-version": "1", authorization: `Bearer ${peerToken}` },
        body: frame(0, `{"environmentId":"${scenario.unknownId}"}`),
      });
      // Connect streams report errors in the body, with HTTP 200.
      expect(res.status).toBe(200);
      const all = framesOf(new Uint8Array(await res.arrayBuffer()));
      expect(all.map((f) => f.flags)).toEqual([0x02]);
      expect(JSON.parse(utf8(all[0]!.payload))).toEqual({ error: { code: "not_found", message: expect.stringContaining(scenario.unknownId) } });
    });
  });

  describe("protocol: Connect GET", () => {
    setup.it("lists environment classes with GET ?connect=v1&encoding=json&message=…, as POST does", async () => {
      const message = `{"filter":{"runnerIds":["${runner.runnerId}"]}}`;
      const byGet = await get("/gitpod.v1.EnvironmentService/ListEnvironmentClasses", message);
      const byPost = await post("/gitpod.v1.EnvironmentService/ListEnvironmentClasses", message);
      expect(ok(byGet)).toEqual(ok(byPost));
      expect((byGet.json as { environmentClasses: Json[] }).environmentClasses.map((c) => c["id"])).toEqual([classId]);
      const all = ok<{ environmentClasses: Json[] }>(await get("/api/gitpod.v1.EnvironmentService/ListEnvironmentClasses", "{}"));
      expect(all.environmentClasses).toHaveLength(2);
    });

    setup.it("reads the environment, the runner and the service by GET (also under /api)", async () => {
      const env = ok<{ environment: Environment }>(await get("/api/gitpod.v1.EnvironmentService/GetEnvironment", `{"environmentId":"${environment.id}"}`));
      expect(env.environment).toEqual(environment);
      expect(ok(await get("/gitpod.v1.RunnerService/GetRunner", `{"runnerId":"${runner.runnerId}"}`))).toEqual({ runner });
      const services = ok<{ services: Service[] }>(await get("/gitpod.v1.EnvironmentAutomationService/ListServices", `{"filter":{"references":["${scenario.serviceReference}"]}}`));
      expect(services.services.map((s) => s.id)).toEqual([service.id]);
    });

    setup.it("answers 404 not_found, 401 without a token, 400 for a message that is not JSON, by GET as by POST", async () => {
      const missing = await get("/gitpod.v1.EnvironmentService/GetEnvironment", `{"environmentId":"${scenario.unknownId}"}`);
      expect(missing.status).toBe(404);
      expect(missing.json).toEqual({ code: "not_found", message: `environment "${scenario.unknownId}" not found` });
      const anonymous = await get("/gitpod.v1.EnvironmentService/ListEnvironmentClasses", "{}", null);
      expect(anonymous.status).toBe(401);
      expect(anonymous.json).toMatchObject({ code: "unauthenticated" });
      const garbled = await get("/gitpod.v1.EnvironmentService/ListEnvironmentClasses", "{not json");
      expect(garbled.status).toBe(400);
      expect(garbled.json).toMatchObject({ code: "invalid_argument" });
    });

    setup.it("answers 405 to a GET of an RPC with side effects (CreateRunner), which creates nothing", async () => {
      const res = await get("/gitpod.v1.RunnerService/CreateRunner", `{"name":"By GET","provider":"RUNNER_PROVIDER_AWS_EC2"}`);
      expect(res.status).toBe(405);
      const { runners } = ok<{ runners: Runner[] }>(await post("/gitpod.v1.RunnerService/ListRunners", "{}"));
      expect(runners.map((r) => r["name"])).not.toContain("By GET");
    });
  });

  describe("protocol: gRPC-web", () => {
    const grpcWeb = (path: string, json: string, token: string | null = peerToken) =>
      fetch(`${peer.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/grpc-web+json", "x-grpc-web": "1", ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
        body: frame(0, json),
      });

    setup.it("gets the runner with application/grpc-web+json: one message frame with the same JSON as Connect, then a trailer frame with grpc-status 0", async () => {
      const res = await grpcWeb("/gitpod.v1.RunnerService/GetRunner", `{"runnerId":"${runner.runnerId}"}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/grpc-web+json");
      const [message, trailer, ...rest] = framesOf(new Uint8Array(await res.arrayBuffer()));
      expect(rest).toEqual([]);
      expect(message!.flags).toBe(0);
      expect(JSON.parse(utf8(message!.payload))).toEqual({ runner });
      expect(trailer!.flags).toBe(0x80);
      expect(trailerMap(trailer!.payload)).toMatchObject({ "grpc-status": "0" });
    });

    setup.it("gets grpc-status 5 and the percent-encoded message in the trailer frame for an environment that does not exist", async () => {
      const res = await grpcWeb("/api/gitpod.v1.EnvironmentService/GetEnvironment", `{"environmentId":"${scenario.unknownId}"}`);
      expect(res.status).toBe(200);
      const all = framesOf(new Uint8Array(await res.arrayBuffer()));
      expect(all.map((f) => f.flags)).toEqual([0x80]);
      const trailers = trailerMap(all[0]!.payload);
      expect(trailers["grpc-status"]).toBe("5");
      // Percent-encoded as gRPC requires; connect-node encodes more than the spec asks (spaces, quotes).
      expect(decodeURIComponent(trailers["grpc-message"]!)).toBe(`environment "${scenario.unknownId}" not found`);
      const anonymous = framesOf(new Uint8Array(await (await grpcWeb("/gitpod.v1.RunnerService/ListRunners", "{}", null)).arrayBuffer()));
      expect(trailerMap(anonymous.at(-1)!.payload)["grpc-status"]).toBe("16");
    });
  });
});
