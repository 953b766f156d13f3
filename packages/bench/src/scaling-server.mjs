// The child of the scaling table (run with --expose-gc), told what to do by one IPC message:
//   { type: "memory", count } — startServer() on the in-memory store, one environment created
//       through the API as the template, then count-1 copies (fresh UUIDs) inserted straight into
//       the store (server.deps.store; what CreateEnvironment would write, minus its RPC). The heap
//       is measured after gc before and after the copies: { type: "ready", url, runnerId,
//       heapPerEnvironment, seedMs }.
//   { type: "embedded", starts } — start-up of the embedded server inside this process: the
//       import, then `await startServer({ port: 0 })` plus one answered GetAuthenticatedIdentity,
//       `starts` times (the first is cold): { type: "embedded", importMs, startMs: [...] }.
import { randomUUID } from "node:crypto";
import { clone } from "@bufbuild/protobuf";
import { EnvironmentSchema } from "@gitpod-connect/schema/gitpod/v1/environment";
import { apiKey, serveChildControl, stepDelayMs } from "./common.mjs";
import { callIdentity } from "./startup-call.mjs";

/** The store's environments collection, addressed by name (memory-store keys tables by spec.name). */
const environments = {
  name: "environments",
  kind: "environment",
  copy: (r) => ({ ...r, environment: clone(EnvironmentSchema, r.environment) }),
};

/**
 * A fresh id as the server holds one: a flat string of 36 characters (~57 B of heap). Node's
 * randomUUID() returns a rope of ~15 concatenated pieces (~480 B) until something reads it
 * character by character, which nothing does to these copies; the server's own ids are read so
 * (checked, serialized) as soon as they are used, and V8 then keeps only the flat string. The
 * rope would add ~420 B to every copy that no stored environment of a running server carries.
 */
const freshId = () => {
  const id = randomUUID();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw new Error(`not a UUID: ${id}`);
  return id;
};

const heapAfterGc = () => {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};

async function memory(count) {
  const { startServer } = await import("@gitpod-connect/server");
  const server = await startServer({ port: 0, apiKey, stepDelayMs });
  const { createTemplateEnvironment } = await import("../../server/bench/store-list.mjs");
  const { createClient } = await import("@connectrpc/connect");
  const { createConnectTransport } = await import("@connectrpc/connect-node");
  const { EnvironmentService } = await import("@gitpod-connect/schema/gitpod/v1/environment");
  const transport = createConnectTransport({
    baseUrl: server.url,
    httpVersion: "1.1",
    interceptors: [(next) => (req) => (req.header.set("authorization", `Bearer ${apiKey}`), next(req))],
  });
  const template = await createTemplateEnvironment({
    environments: createClient(EnvironmentService, transport),
    environmentClassId: server.bootstrap.environmentClassId,
  });
  const collection = server.deps.store.collection(environments);
  const record = await collection.get(template.id);
  const before = heapAfterGc();
  const started = performance.now();
  for (let i = 1; i < count; i++) {
    const environment = clone(EnvironmentSchema, record.value.environment);
    environment.id = freshId();
    await collection.insert({ id: environment.id, organizationId: record.organizationId, value: { ...record.value, environment } });
  }
  const seedMs = performance.now() - started;
  const after = heapAfterGc();
  process.send({ type: "ready", url: server.url, runnerId: server.bootstrap.runnerId, heapPerEnvironment: count > 1 ? (after - before) / (count - 1) : NaN, seedMs });
}

async function embedded(starts) {
  let t = performance.now();
  const { startServer } = await import("@gitpod-connect/server");
  const importMs = performance.now() - t;
  const startMs = [];
  for (let i = 0; i < starts; i++) {
    t = performance.now();
    const server = await startServer({ port: 0, apiKey });
    await callIdentity(server.url);
    startMs.push(performance.now() - t);
    await server.close();
  }
  process.send({ type: "embedded", importMs, startMs });
}

serveChildControl(async (m) => {
  if (m.type === "memory") await memory(m.count);
  if (m.type === "embedded") await embedded(m.starts);
});
