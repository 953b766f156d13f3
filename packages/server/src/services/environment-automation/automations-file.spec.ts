import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import {
  AutomationsFileSchema,
  EnvironmentAutomationService,
  ServicePhase,
  ServiceRole,
} from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import { addRunningEnvironment, expectFailure, servicePhases, serviceRequest, untilServicePhase, type AutomationClient } from "./test-fixtures.js";

let server: TestServer;
let admin: AutomationClient;

beforeAll(async () => {
  server = await startTestServer();
  admin = server.client(EnvironmentAutomationService, testTokens.admin);
});
afterAll(() => server.close());

type File = MessageInitShape<typeof AutomationsFileSchema>;

const docsExample: File = {
  services: {
    "web-server": {
      name: "Web Server",
      description: "Development web server",
      commands: { start: "npm run dev", ready: "curl -s http://localhost:3000" },
      triggeredBy: ["postDevcontainerStart"],
      role: "editor",
    },
    database: { name: "DB", commands: { start: "postgres" }, role: "ai-agent", runsOn: { target: { case: "docker", value: { image: "postgres:16", environment: [] } } } },
  },
  tasks: {
    build: { name: "Build Project", description: "Builds the project artifacts", command: "npm run build", triggeredBy: ["postEnvironmentStart"], dependsOn: ["database"] },
    test: { name: "Test", command: "npm test", dependsOn: ["build", "database"], triggeredBy: ["manual", "prebuild"] },
  },
};

const upsert = (environmentId: string, file: File) => admin.upsertAutomationsFile({ environmentId, automationsFile: file });
const servicesOf = async (environmentId: string) => (await admin.listServices({ filter: { environmentIds: [environmentId] } })).services;
const tasksOf = async (environmentId: string) => (await admin.listTasks({ filter: { environmentIds: [environmentId] } })).tasks;

describe("UpsertAutomationsFile", () => {
  it("creates the file's services and tasks and returns their ids in the file's order", async () => {
    const env = await addRunningEnvironment(server);
    const result = await upsert(env, docsExample);
    const services = await servicesOf(env);
    const tasks = await tasksOf(env);
    expect(result.updatedServiceIds).toEqual(services.map((s) => s.id));
    expect(result.updatedTaskIds).toEqual(tasks.map((t) => t.id));
    const [web, db] = services;
    expect(web).toMatchObject({
      metadata: { reference: "web-server", name: "Web Server", role: ServiceRole.EDITOR, triggeredBy: [{ trigger: { case: "postDevcontainerStart", value: true } }] },
      spec: { specVersion: 1n, desiredPhase: ServicePhase.STOPPED, commands: { start: "npm run dev", ready: "curl -s http://localhost:3000" } },
    });
    expect(db!.metadata!.role).toBe(ServiceRole.AI_AGENT);
    expect(db!.spec!.runsOn?.target).toMatchObject({ case: "docker", value: { image: "postgres:16" } });
    const [build, test] = tasks;
    expect(build).toMatchObject({ metadata: { reference: "build", triggeredBy: [{ trigger: { case: "postEnvironmentStart" } }] }, dependsOn: [db!.id] });
    expect(test!.dependsOn).toEqual([build!.id, db!.id]);
    expect(test!.metadata!.triggeredBy.map((t) => t.trigger.case)).toEqual(["manual", "prebuild"]);
    expect(web!.metadata!.creator?.id).toBe(server.bootstrap.adminUserId);
  });

  it("updates by reference, removes what an earlier file created and this one lacks, and keeps API-created automations", async () => {
    const env = await addRunningEnvironment(server);
    const first = await upsert(env, docsExample);
    const manual = (await admin.createService(serviceRequest(env, { metadata: { reference: "manual-svc", name: "mine" } }))).service!;
    const adopted = (await admin.createService(serviceRequest(env, { metadata: { reference: "cache", name: "cache" } }))).service!;
    const second = await upsert(env, {
      services: {
        "web-server": { name: "Web", commands: { start: "npm start" }, triggeredBy: [] },
        cache: { name: "Redis", commands: { start: "redis-server" } },
      },
      tasks: { build: { name: "Build", command: "make", dependsOn: ["cache"] }, lint: { name: "Lint", command: "eslint ." } },
    });
    const [webId, dbId] = first.updatedServiceIds;
    const [buildId, testId] = first.updatedTaskIds;
    expect(second.updatedServiceIds).toEqual([webId, adopted.id]);
    expect(second.updatedTaskIds[0]).toBe(buildId);
    expect(second.updatedTaskIds).toHaveLength(2);
    const services = await servicesOf(env);
    expect(services.map((s) => s.metadata!.reference)).toEqual(["web-server", "manual-svc", "cache"]);
    expect(services[0]).toMatchObject({ metadata: { name: "Web", triggeredBy: [] }, spec: { specVersion: 2n, commands: { start: "npm start", ready: "" } } });
    expect(services.map((s) => s.id)).not.toContain(dbId);
    expect(services.map((s) => s.id)).toContain(manual.id);
    const tasks = await tasksOf(env);
    expect(tasks.map((t) => t.metadata!.reference)).toEqual(["build", "lint"]);
    expect(tasks.map((t) => t.id)).not.toContain(testId);
    expect(tasks[0]).toMatchObject({ spec: { command: "make" }, dependsOn: [adopted.id] });

    // The adopted service was created through the API: a file without it leaves it.
    await upsert(env, {});
    expect((await servicesOf(env)).map((s) => s.metadata!.reference)).toEqual(["manual-svc", "cache"]);
    expect(await tasksOf(env)).toEqual([]);
  });

  it("restarts a running service whose spec the file changes, and leaves one whose spec is unchanged", async () => {
    const env = await addRunningEnvironment(server);
    const file: File = { services: { web: { name: "Web", commands: { start: "npm run dev" } }, api: { name: "API", commands: { start: "npm run api" } } } };
    const { updatedServiceIds: [web, api] } = await upsert(env, file);
    for (const id of [web!, api!]) await admin.startService({ id });
    await untilServicePhase(server, admin, web!, ServicePhase.RUNNING);
    await untilServicePhase(server, admin, api!, ServicePhase.RUNNING);
    await upsert(env, { services: { web: { name: "Web", commands: { start: "npm run dev -- --port 4000" } }, api: { name: "API v2", commands: { start: "npm run api" } } } });
    expect(await servicePhases(server, admin, web!, 4)).toEqual(["RUNNING", "STOPPING", "STOPPED", "STARTING", "RUNNING"]);
    const restarted = (await admin.getService({ id: web! })).service!;
    expect(restarted.spec!.commands!.start).toBe("npm run dev -- --port 4000");
    expect(restarted.status!.session).toBe(restarted.spec!.session);
    const untouched = (await admin.getService({ id: api! })).service!;
    expect(untouched.status!.phase).toBe(ServicePhase.RUNNING);
    expect(untouched.spec!.specVersion).toBe(2n); // created 1, started 2: a new name is no spec change
  });

  it.each<[string, File, string]>([
    ["an unknown dependency", { tasks: { build: { name: "b", command: "c", dependsOn: ["nope"] } } }, 'automations_file.tasks["build"].depends_on[0]'],
    [
      "a dependency naming a service and a task",
      { services: { x: { name: "s", commands: { start: "s" } } }, tasks: { x: { name: "t", command: "c" }, y: { name: "y", command: "c", dependsOn: ["x"] } } },
      'automations_file.tasks["y"].depends_on[0]',
    ],
    [
      "a cycle",
      { tasks: { a: { name: "a", command: "c", dependsOn: ["b"] }, b: { name: "b", command: "c", dependsOn: ["a"] } } },
      'automations_file.tasks["a"].depends_on',
    ],
    ["a task depending on itself", { tasks: { a: { name: "a", command: "c", dependsOn: ["a"] } } }, 'automations_file.tasks["a"].depends_on'],
    ["a service without start command", { services: { s: { name: "s" } } }, 'automations_file.services["s"].commands.start'],
    ["an unknown trigger name", { tasks: { a: { name: "a", command: "c", triggeredBy: ["onSave"] } } }, "automations_file.tasks"],
    ["an unknown role", { services: { s: { name: "s", commands: { start: "s" }, role: "admin" } } }, "automations_file.services"],
  ])("rejects %s with invalid_argument naming the path, writing nothing", async (_, file, path) => {
    const env = await addRunningEnvironment(server);
    await upsert(env, { services: { keep: { name: "k", commands: { start: "k" } } } });
    const before = await servicesOf(env);
    const error = await expectFailure(upsert(env, { ...file, services: { ...file.services, extra: { name: "e", commands: { start: "e" } } } } as File), Code.InvalidArgument, path);
    if (path.includes("cycle")) expect(error.rawMessage).toContain("cycle");
    expect(await servicesOf(env)).toEqual(before);
  });

  it("answers not_found for an unknown environment or another organization's", async () => {
    const env = await addRunningEnvironment(server);
    await expectFailure(upsert("00000000-0000-4000-8000-0000deadbeef", docsExample), Code.NotFound, "environment");
    const other = server.client(EnvironmentAutomationService, testTokens.other);
    await expectFailure(other.upsertAutomationsFile({ environmentId: env, automationsFile: create(AutomationsFileSchema, {}) }), Code.NotFound, "environment");
  });
});
