// Every RPC of every implemented service (services/index.ts) has its own file, named by the RPC
// (test-support/rpc-names.ts), holding the handler of that RPC alone; and a real handler answers
// it over a socket (test-support/rpc-probe.ts).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { DescService } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandlerDeps } from "../handler-deps.js";
import { gitpodServices } from "../rpc/gitpod-services.js";
import { rpcFileName, serviceFolderName } from "../test-support/rpc-names.js";
import { probeService } from "../test-support/rpc-probe.js";
import { startTestServer, type TestServer } from "../test-support/test-server.js";
import { serviceImplementations } from "./index.js";

const implemented: [string, DescService][] = serviceImplementations.map((i) => [i.service.typeName, i.service]);

it("has service implementations to check", () => {
  expect(implemented.length).toBeGreaterThan(0);
});

describe("the RPC file names", () => {
  it.each([
    ["GetRunner", "get-runner"],
    ["CreateRunnerLogsToken", "create-runner-logs-token"],
    ["ParseContextURL", "parse-context-url"],
    ["ListSCMOrganizations", "list-scm-organizations"],
    ["CreateSCMIntegration", "create-scm-integration"],
    ["CreateEnvironmentFromProject", "create-environment-from-project"],
  ])("name %s's file %s.ts", (method, file) => {
    expect(rpcFileName(method)).toBe(file);
  });

  it.each([
    ["RunnerService", "runner"],
    ["RunnerConfigurationService", "runner-configuration"],
    ["EnvironmentService", "environment"],
    ["EnvironmentAutomationService", "environment-automation"],
  ])("put %s in services/%s/", (service, folder) => {
    expect(serviceFolderName(service)).toBe(folder);
  });
});

describe.each(implemented)("%s", (_, service) => {
  const folder = serviceFolderName(service.name);
  const deps = createHandlerDeps();

  it.each(service.methods.map((m) => [m.name, m] as const))("has %s in its own file, as the file's handler group of that RPC alone", async (_, method) => {
    const file = `${folder}/${rpcFileName(method.name)}.ts`;
    const url = new URL(`./${file}`, import.meta.url);
    expect(existsSync(fileURLToPath(url)), `services/${file} exists`).toBe(true);
    const exports = (await import(url.href)) as Record<string, unknown>;
    const group = exports[method.localName];
    expect(typeof group, `services/${file} exports ${method.localName}`).toBe("function");
    const handlers = (group as (d: typeof deps) => Record<string, unknown>)(deps);
    expect(Object.keys(handlers), `the methods of ${method.localName}`).toEqual([method.localName]);
    expect(typeof handlers[method.localName]).toBe("function");
  });
});

describe("the RPC probe", () => {
  let real: TestServer;
  let bare: TestServer;
  beforeAll(async () => {
    real = await startTestServer();
    bare = await startTestServer({ implementations: [] });
  });
  afterAll(async () => {
    await real.close();
    await bare.close();
  });

  it.each(implemented)("finds a real handler answering every RPC of %s (none answers unimplemented)", async (_, service) => {
    const results = await probeService(real, service);
    expect(results.map((r) => r.method)).toEqual(service.methods.map((m) => m.name));
    expect(results.filter((r) => r.outcome === "Unimplemented")).toEqual([]);
  });

  // The probe can fail: without implementations every RPC answers unimplemented, so its requests
  // pass validation (which runs before connect's stub) and reach the missing handler.
  const everyService = [...new Map([...gitpodServices, ...implemented.map(([, s]) => s)].map((s) => [s.typeName, s])).entries()];
  it.each(everyService)("gets unimplemented from every RPC of %s on a server without implementations", async (_, service) => {
    const results = await probeService(bare, service);
    expect(results.map((r) => `${r.method}: ${r.outcome}`)).toEqual(service.methods.map((m) => `${m.name}: Unimplemented`));
  });
});
