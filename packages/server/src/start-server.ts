// Starts the whole server: dependencies, bootstrap state, routes, request handler, one port.
// Embeddable: `const s = await startServer({ port: 0 })` in another project's tests gives a
// server on a free port; `s.url`, `s.bootstrap.adminToken`, `await s.close()`.
import type { Interceptor } from "@connectrpc/connect";
import { bootstrap, resumeOrBootstrap, type Bootstrap, type BootstrapOptions } from "./bootstrap.js";
import type { ControllableClock } from "./clock.js";
import { createHandlerDeps, type HandlerDeps } from "./handler-deps.js";
import { corsOriginsProblem } from "./http/cors.js";
import { createOnePortServer } from "./http/one-port-server.js";
import { environmentLogsHandler } from "./http/environment-logs.js";
import { environmentPortsHandler } from "./http/environment-ports.js";
import { createRequestHandler, type PathHandler } from "./http/request-handler.js";
import type { IdGenerator } from "./ids.js";
import { createRoutes, mountedServices } from "./rpc/routes.js";
import { serviceImplementations } from "./services/index.js";
import { defaultSimulationOptions, startSimulation, type SimulatedRunner } from "./simulation/index.js";
import { RpcFailures } from "./testing/rpc-failures.js";
import { testingControlsHandler } from "./testing/testing-controls.js";
import type { ServiceImplementation } from "./rpc/define-service.js";
import { openStore, type StoreConfig } from "./store/open-store.js";
import { derivedKey, sharedServerSecret } from "./domain/secrets/server-secret.js";
import { createPageTokens } from "./pagination/index.js";

export interface StartServerOptions extends BootstrapOptions {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Replaces the clock (e.g. manualClock()) of fresh dependencies. */
  clock?: ControllableClock;
  /** Replaces the id generator (e.g. sequentialIds()) of fresh dependencies. */
  ids?: IdGenerator;
  /** Use these dependencies instead of fresh ones. */
  deps?: HandlerDeps;
  /**
   * Where fresh dependencies keep state (ignored with `deps`): in memory (the default), PGlite in a
   * data directory, or PostgreSQL at a URL. A durable store that holds an earlier start's state is
   * resumed (bootstrap.ts); close() closes the database.
   */
  store?: StoreConfig;
  /** Service implementations to mount; default: services/index.ts. */
  implementations?: readonly ServiceImplementation[];
  /** Extra interceptors after authentication and validation. */
  interceptors?: Interceptor[];
  /** The simulated runner: how long each lifecycle step takes (default 100 ms; 0 allowed). */
  stepDelayMs?: number;
  /** Stopped environments are archived after this long without a start (default 7 days). */
  archiveAfterMs?: number;
  /**
   * The testing controls (reset, clock, failure injection, RPC failures, projects, archiving) under
   * /testing/: off unless given; `token` is their own bearer credential, never an API token.
   */
  testingControls?: { token: string };
  /**
   * Browser origins allowed to call across origins (CORS): `scheme://host[:port]` each (as browsers
   * send Origin), or `["*"]` for any. Default none: no CORS headers, preflights are not answered.
   */
  corsOrigins?: readonly string[];
  /** How long close() lets in-flight calls finish (default 10 s). */
  shutdownGraceMs?: number;
  /** Longest time a client may take to send request headers (default 20 s). */
  headersTimeoutMs?: number;
  /** Longest time a client may take to send a whole HTTP/1 request (default 60 s). */
  requestTimeoutMs?: number;
  /**
   * gRPC server reflection (grpc.reflection.v1 and v1alpha) for the mounted services, public (no
   * token); default true: it reveals only the schema.
   */
  reflection?: boolean;
  /**
   * Answer unary calls over Connect, gRPC-web and gRPC (HTTP/2) on the fast path
   * (http/unary-fast-path.ts); default true. False: every call through connect-node's handlers.
   */
  unaryFastPath?: boolean;
}

export interface RunningServer {
  /** e.g. "http://127.0.0.1:8080" */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly deps: HandlerDeps;
  readonly bootstrap: Bootstrap;
  /** Which store the server uses, and where (for the log). */
  readonly storeDescription: string;
  /** Whether the bootstrap state came from an earlier start (a durable store), not created now. */
  readonly resumed: boolean;
  /** The simulated runner that moves environments, services and task executions. */
  readonly simulation: SimulatedRunner;
  /** The injected RPC failures (POST /testing/v1/rpc-failures), when the testing controls are on. */
  readonly rpcFailures: RpcFailures | undefined;
  /** Everything back to the bootstrap state (what the testing controls' reset does). */
  reset(): Promise<void>;
  /** Graceful shutdown: stop accepting, finish in-flight calls, close connections. */
  close(): Promise<void>;
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  // Refused before anything starts.
  const corsProblem = options.corsOrigins && corsOriginsProblem(options.corsOrigins);
  if (corsProblem) throw new Error(`corsOrigins: ${corsProblem}`);
  const storeConfig = options.store ?? { kind: "memory" };
  const opened = options.deps ? undefined : await openStore(storeConfig);
  let deps: HandlerDeps;
  let boot: Bootstrap;
  let resumed: boolean;
  try {
    // A durable store outlives the process: its secret must too (sealed values, page tokens).
    const secret = opened && storeConfig.kind !== "memory" ? await sharedServerSecret(opened.store) : undefined;
    deps =
      options.deps ??
      createHandlerDeps({
        store: opened!.store,
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.ids ? { ids: options.ids } : {}),
        ...(secret !== undefined ? { pageTokens: createPageTokens(derivedKey(secret, "page-tokens")) } : {}),
      });
    ({ resumed, ...boot } = await resumeOrBootstrap(deps, options));
  } catch (e) {
    await opened?.close();
    throw e;
  }
  let url = "";
  const simulationOptions = {
    stepDelayMs: options.stepDelayMs ?? defaultSimulationOptions.stepDelayMs,
    archiveAfterMs: options.archiveAfterMs ?? defaultSimulationOptions.archiveAfterMs,
  };
  let simulation = await startSimulation(deps, simulationOptions, () => url);
  const implementations = options.implementations ?? serviceImplementations;
  const rpcFailures = options.testingControls ? new RpcFailures(mountedServices(implementations)) : undefined;
  /** The testing controls' reset: the bootstrap state again, same ids and tokens; the clock stays. */
  const reset = async () => {
    rpcFailures?.clear();
    simulation.stop();
    await deps.store.clear();
    if (opened && storeConfig.kind !== "memory") await sharedServerSecret(deps.store);
    await bootstrap(deps, options, boot);
    simulation = await startSimulation(deps, simulationOptions, () => url);
  };
  const pathHandlers: PathHandler[] = [environmentLogsHandler(deps), environmentPortsHandler(deps)];
  if (options.testingControls && rpcFailures) {
    pathHandlers.push(
      testingControlsHandler({
        deps,
        token: options.testingControls.token,
        defaults: () => ({ organizationId: boot.organizationId, environmentClassId: boot.environmentClassId }),
        reset,
        rpcFailures,
      }),
    );
  }
  let server: ReturnType<typeof createOnePortServer> | undefined = undefined;
  const handler = createRequestHandler({
    routes: createRoutes({
      deps,
      implementations,
      // The injected failures first, so that a failed call reaches no other interceptor either.
      interceptors: [...(rpcFailures ? [rpcFailures.interceptor()] : []), ...(options.interceptors ?? [])],
      reflection: options.reflection ?? true,
    }),
    tokens: deps.tokens,
    ready: () => !server?.closing,
    pathHandlers,
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
    ...(options.unaryFastPath !== undefined ? { unaryFastPath: options.unaryFastPath } : {}),
  });
  server = createOnePortServer(handler, {
    ...(options.headersTimeoutMs !== undefined ? { headersTimeoutMs: options.headersTimeoutMs } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  });
  const host = options.host ?? "127.0.0.1";
  let port: number;
  try {
    ({ port } = await server.listen(options.port ?? 8080, host));
  } catch (e) {
    simulation.stop();
    await opened?.close();
    throw e;
  }
  const urlHost = host.includes(":") ? `[${host}]` : host;
  url = `http://${urlHost}:${port}`;
  let closed: Promise<void> | undefined;
  const running = server;
  return {
    url,
    host,
    port,
    deps,
    bootstrap: boot,
    storeDescription: opened?.description ?? "given by the caller (deps)",
    resumed,
    get simulation() {
      return simulation;
    },
    rpcFailures,
    reset,
    close: () =>
      (closed ??= (async () => {
        // Event streams never finish by themselves: end them first, so shutdown does not wait for them.
        deps.events.close();
        try {
          await running.close(options.shutdownGraceMs);
        } finally {
          simulation.stop();
          // After the simulated runner: a step that was running has committed or failed by now.
          await opened?.close();
        }
      })()),
  };
}
