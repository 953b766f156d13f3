// The testing controls: a small JSON-over-HTTP admin surface under /testing/v1/, apart from the
// emulated API (as gapic-showcase's and moto's are), for client test suites that need to reset the
// server, move or freeze its clock, make the simulated runner or an RPC fail, archive an
// environment or add projects. Off unless the server is started with them; authenticated only by
// their own token (`Authorization: Bearer <testing token>`), which is no API credential — and no
// API token opens them.
//
//   GET  /testing/v1                       what is here
//   POST /testing/v1/reset                 everything back to the bootstrap state (same ids and tokens)
//   GET  /testing/v1/clock                 {nowMs, now, frozen}
//   POST /testing/v1/clock/advance {ms}    moves time forward; every step that falls due runs
//   POST /testing/v1/clock/freeze          stops time (only advance moves it)
//   POST /testing/v1/clock/resume          time runs with the wall clock again
//   POST /testing/v1/failures {kind, id, step, message?}
//                                          the next time target `id` reaches `step`, it fails
//   GET  /testing/v1/failures              the injected failures not yet used
//   POST /testing/v1/rpc-failures {procedure, code, count?, message?, retryAfterSeconds?}
//                                          the next `count` calls of that RPC fail with that code
//   GET  /testing/v1/rpc-failures          the RPC failures not yet used up
//   DELETE /testing/v1/rpc-failures        removes them all
//   POST /testing/v1/environments/archive {environmentId}
//   POST /testing/v1/projects {organizationId?, id?, name, environmentClassId?, initializer?, automationsFile?, devcontainerFilePath?}
import { timingSafeEqual } from "node:crypto";
import { fromJson } from "@bufbuild/protobuf";
import { EnvironmentInitializerSchema } from "@gitpod-connect/schema/gitpod/v1/environment";
import { AutomationsFileSchema } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { bearerToken } from "../auth/authentication.js";
import { organizations } from "../auth/identity-records.js";
import { addProject, archive, environments } from "../domain/environments/index.js";
import type { HandlerDeps } from "../handler-deps.js";
import { readJson, sendJson } from "../http/http-responses.js";
import type { PathHandler } from "../http/request-handler.js";
import { failureInjections, failureKey, failureSteps, type FailureTargetKind } from "../simulation/index.js";
import { findFailureTarget } from "./failure-targets.js";
import { InvalidRpcFailure, type RpcFailures } from "./rpc-failures.js";

export const testingPrefix = "/testing/v1";

export interface TestingControlsOptions {
  deps: HandlerDeps;
  /** The credential of this surface. */
  token: string;
  /** The bootstrap organization and environment class: the defaults of new projects. */
  defaults: () => { organizationId: string; environmentClassId: string };
  /** Puts everything back to the bootstrap state (the RPC failures too). */
  reset(): Promise<void>;
  /** The injected RPC failures, which the server's interceptor uses. */
  rpcFailures: RpcFailures;
}

/** A request the caller got wrong: 400 with the field it names. */
class BadRequest extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly status = 400,
  ) {
    super(`${field}: ${message}`);
  }
}

const endpoints = [
  "GET /testing/v1",
  "POST /testing/v1/reset",
  "GET /testing/v1/clock",
  "POST /testing/v1/clock/advance {ms}",
  "POST /testing/v1/clock/freeze",
  "POST /testing/v1/clock/resume",
  "POST /testing/v1/failures {kind, id, step, message?}",
  "GET /testing/v1/failures",
  "POST /testing/v1/rpc-failures {procedure, code, count?, message?, retryAfterSeconds?}",
  "GET /testing/v1/rpc-failures",
  "DELETE /testing/v1/rpc-failures",
  "POST /testing/v1/environments/archive {environmentId}",
  "POST /testing/v1/projects {organizationId?, id?, name, environmentClassId?, initializer?, automationsFile?, devcontainerFilePath?}",
];

function field<T>(body: Record<string, unknown>, name: string, type: "string" | "number", required: boolean): T | undefined {
  const value = body[name];
  if (value === undefined || value === null) {
    if (required) throw new BadRequest(name, "is required");
    return undefined;
  }
  if (typeof value !== type) throw new BadRequest(name, `must be a ${type}`);
  return value as T;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function testingControlsHandler(options: TestingControlsOptions): PathHandler {
  const { deps } = options;
  const expected = Buffer.from(options.token);
  const authorized = (header: string | undefined) => {
    const given = Buffer.from(bearerToken(header) ?? "");
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  const clockState = () => ({ nowMs: deps.clock.nowMs(), now: new Date(deps.clock.nowMs()).toISOString(), frozen: deps.clock.frozen });

  async function route(method: string, path: string, body: Record<string, unknown>): Promise<unknown> {
    const is = (m: string, p: string) => method === m && path === `${testingPrefix}${p}`;
    if (is("GET", "") || is("GET", "/")) return { endpoints };
    if (is("POST", "/reset")) {
      await options.reset();
      return {};
    }
    if (is("GET", "/clock")) return clockState();
    if (is("POST", "/clock/advance")) {
      const ms = field<number>(body, "ms", "number", true)!;
      if (!Number.isSafeInteger(ms) || ms < 0) throw new BadRequest("ms", "must be a whole number of milliseconds, 0 or more");
      await deps.clock.advance(ms);
      return clockState();
    }
    if (is("POST", "/clock/freeze")) {
      deps.clock.freeze();
      return clockState();
    }
    if (is("POST", "/clock/resume")) {
      deps.clock.resume();
      return clockState();
    }
    if (is("POST", "/failures")) {
      const kind = field<string>(body, "kind", "string", true)!;
      if (!(kind in failureSteps)) throw new BadRequest("kind", `must be one of ${Object.keys(failureSteps).join(", ")}`);
      const steps: readonly string[] = failureSteps[kind as FailureTargetKind];
      const id = field<string>(body, "id", "string", true)!;
      const step = field<string>(body, "step", "string", true)!;
      if (!steps.includes(step)) throw new BadRequest("step", `a ${kind} can fail at ${steps.join(", ")}`);
      const message = field<string>(body, "message", "string", false) ?? `injected failure at ${step}`;
      const organizationId = await findFailureTarget(deps, kind as FailureTargetKind, id);
      if (organizationId === undefined) throw new BadRequest("id", `no ${kind} ${JSON.stringify(id)}`, 404);
      const key = failureKey(id, step);
      await deps.store.transaction(async (tx) => {
        const injections = tx.collection(failureInjections);
        await injections.delete(key, { organizationId });
        await injections.insert({ id: key, organizationId, value: { kind: kind as FailureTargetKind, targetId: id, step, message } });
      });
      return {};
    }
    if (is("GET", "/failures")) {
      const page = await deps.store.collection(failureInjections).list({ limit: 1_000 });
      return { failures: page.items.map((r) => r.value) };
    }
    if (is("POST", "/rpc-failures")) {
      const procedure = field<string>(body, "procedure", "string", true)!;
      const code = field<string>(body, "code", "string", true)!;
      const count = field<number>(body, "count", "number", false);
      const message = field<string>(body, "message", "string", false);
      const retryAfterSeconds = field<number>(body, "retryAfterSeconds", "number", false);
      try {
        options.rpcFailures.add({
          procedure,
          code,
          ...(count !== undefined ? { count } : {}),
          ...(message !== undefined ? { message } : {}),
          ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
        });
      } catch (e) {
        if (e instanceof InvalidRpcFailure) throw new BadRequest(e.field, e.message);
        throw e;
      }
      return {};
    }
    if (is("GET", "/rpc-failures")) return { rpcFailures: options.rpcFailures.list() };
    if (is("DELETE", "/rpc-failures")) {
      options.rpcFailures.clear();
      return {};
    }
    if (is("POST", "/environments/archive")) {
      const id = field<string>(body, "environmentId", "string", true)!;
      await deps.store.transaction(async (tx) => {
        const record = await tx.collection(environments).get(id);
        if (!record) throw new BadRequest("environmentId", `no environment ${JSON.stringify(id)}`, 404);
        const env = record.value.environment;
        try {
          if (!archive(env, deps.clock.now())) return;
        } catch (e) {
          throw new BadRequest("environmentId", (e as Error).message, 409);
        }
        await tx.collection(environments).update(id, { ...record.value, environment: env }, { organizationId: record.organizationId });
      });
      return {};
    }
    if (is("POST", "/projects")) {
      const defaults = options.defaults();
      const organizationId = field<string>(body, "organizationId", "string", false) ?? defaults.organizationId;
      if (!(await deps.store.collection(organizations).get(organizationId))) throw new BadRequest("organizationId", `no organization ${JSON.stringify(organizationId)}`, 404);
      const id = field<string>(body, "id", "string", false) ?? deps.ids.newId();
      if (!uuid.test(id)) throw new BadRequest("id", "must be a UUID");
      const name = field<string>(body, "name", "string", true)!;
      const environmentClassId = field<string>(body, "environmentClassId", "string", false);
      const devcontainerFilePath = field<string>(body, "devcontainerFilePath", "string", false);
      for (const [key, schema] of [
        ["initializer", EnvironmentInitializerSchema],
        ["automationsFile", AutomationsFileSchema],
      ] as const) {
        if (body[key] === undefined) continue;
        try {
          fromJson(schema, body[key] as never);
        } catch (e) {
          throw new BadRequest(key, (e as Error).message);
        }
      }
      const defaultClass = organizationId === defaults.organizationId ? defaults.environmentClassId : "";
      await deps.store.transaction(async (tx) => {
        if (await tx.collection(organizations).get(organizationId)) {
          await addProject(tx, organizationId, id, { id, name, environmentClassId, initializer: body.initializer, automationsFile: body.automationsFile, devcontainerFilePath }, defaultClass);
        }
      });
      return { projectId: id };
    }
    throw new BadRequest("path", `no such control: ${method} ${path}; GET ${testingPrefix} lists them`, 404);
  }

  return {
    matches: (path) => path === testingPrefix || path.startsWith(`${testingPrefix}/`),
    // A test page in a browser of an allowed origin may drive them too.
    corsMethods: ["GET", "POST", "DELETE"],
    async handle(req, res, path) {
      if (!authorized(req.headers.authorization)) {
        return sendJson(res, 401, { error: "the testing controls need their own token: Authorization: Bearer <testing token>" });
      }
      const raw = req.method === "POST" ? await readJson(req) : {};
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return sendJson(res, 400, { error: "the body must be a JSON object" });
      try {
        sendJson(res, 200, await route(req.method ?? "", path.replace(/\/$/, "") || path, raw as Record<string, unknown>));
      } catch (e) {
        if (e instanceof BadRequest) return sendJson(res, e.status, { error: e.message, field: e.field });
        if ((e as { name?: string }).name === "StoreError") return sendJson(res, 409, { error: (e as Error).message });
        console.error("testing control failed", e);
        sendJson(res, 500, { error: "internal error" });
      }
    },
  };
}
