// The browser app of browser.spec.ts: bundled by esbuild with the `browser` condition, so
// "@gitpod-connect/client" is the package's published web entry (dist/web.js) exactly as a web
// app's bundler would pick it. It puts `window.gitpodTest` on the page: each function makes a
// client from plain settings, does real calls and returns plain data (or the error, summarized),
// which page.evaluate hands back to the test.
import { Code, ConnectError, GitpodClient } from "@gitpod-connect/client";
import { EnvironmentPhase } from "@gitpod-connect/schema/gitpod/v1/environment";

/** What the test sends to build a client (all JSON). */
export interface ClientSettings {
  baseUrl: string;
  token: string;
  protocol: "connect" | "grpc-web";
  binary: boolean;
  /** Prepended to the client's user agent: tags the calls of one test for the server-side record. */
  userAgent: string;
  retry?: false;
}

/** An error as the page saw it. */
export interface ErrorSummary {
  /** `instanceof ConnectError`, with the ConnectError the client package exports. */
  isConnectError: boolean;
  name: string;
  message: string;
  /** ConnectError only: the code, and its name in the Code enum. */
  code?: number;
  codeName?: string;
  rawMessage?: string;
  /** The cause's "Name: message", when there is one (e.g. fetch's TypeError). */
  cause?: string;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ErrorSummary };

export interface EnvironmentSummary {
  id: string;
  classId: string;
  phase: number;
  phaseName: string;
}

export interface EventSummary {
  operation: number;
  resourceType: number;
  resourceId: string;
}

export interface BrowserApi {
  /** identity.getAuthenticatedIdentity */
  identity(settings: ClientSettings): Promise<Outcome<{ organizationId: string; subjectId: string; principal: number }>>;
  /** environments.classes.list().toArray() */
  listClasses(settings: ClientSettings): Promise<Outcome<{ id: string; displayName: string; runnerId: string; enabled: boolean }[]>>;
  /** environments.create, then environments.retrieve of the created id. */
  createAndRetrieve(settings: ClientSettings, classId: string): Promise<Outcome<{ created: EnvironmentSummary; retrieved: EnvironmentSummary }>>;
  /** environments.create, then environments.waitForPhase(RUNNING) (WatchEvents). */
  createAndWaitUntilRunning(settings: ClientSettings, classId: string): Promise<Outcome<{ created: EnvironmentSummary; running: EnvironmentSummary }>>;
  /**
   * events.watch of the organization, opened first (its response headers awaited), then
   * environments.create: the events of the new environment, until `count` of them came.
   */
  watchWhileCreating(settings: ClientSettings, classId: string, count: number): Promise<Outcome<{ environmentId: string; events: EventSummary[] }>>;
  /** environments.retrieve */
  retrieve(settings: ClientSettings, environmentId: string): Promise<Outcome<EnvironmentSummary>>;
}

declare global {
  interface Window {
    gitpodTest?: BrowserApi;
  }
}

function client(settings: ClientSettings): GitpodClient {
  return new GitpodClient({
    baseUrl: settings.baseUrl,
    token: settings.token,
    protocol: settings.protocol,
    binary: settings.binary,
    userAgent: settings.userAgent,
    ...(settings.retry === false ? { retry: false } : {}),
  });
}

function summarizeError(e: unknown): ErrorSummary {
  const error = e instanceof Error ? e : new Error(String(e));
  const cause = error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : undefined;
  const summary: ErrorSummary = { isConnectError: e instanceof ConnectError, name: error.name, message: error.message };
  if (cause !== undefined) summary.cause = cause;
  if (e instanceof ConnectError) {
    summary.code = e.code;
    summary.codeName = Code[e.code];
    summary.rawMessage = e.rawMessage;
  }
  return summary;
}

async function outcome<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (e) {
    return { ok: false, error: summarizeError(e) };
  }
}

interface EnvironmentLike {
  id: string;
  spec?: { machine?: { class: string } | undefined } | undefined;
  status?: { phase: EnvironmentPhase } | undefined;
}

function summarizeEnvironment(env: EnvironmentLike | undefined): EnvironmentSummary {
  if (!env) throw new Error("the response has no environment");
  const phase = env.status?.phase ?? EnvironmentPhase.UNSPECIFIED;
  return { id: env.id, classId: env.spec?.machine?.class ?? "", phase, phaseName: EnvironmentPhase[phase] ?? String(phase) };
}

const api: BrowserApi = {
  identity: (settings) =>
    outcome(async () => {
      const res = await client(settings).identity.getAuthenticatedIdentity({});
      return { organizationId: res.organizationId, subjectId: res.subject?.id ?? "", principal: res.subject?.principal ?? 0 };
    }),

  listClasses: (settings) =>
    outcome(async () => {
      const classes = await client(settings).environments.classes.list().toArray();
      return classes.map((c) => ({ id: c.id, displayName: c.displayName, runnerId: c.runnerId, enabled: c.enabled }));
    }),

  createAndRetrieve: (settings, classId) =>
    outcome(async () => {
      const c = client(settings);
      const { environment } = await c.environments.create({ spec: { machine: { class: classId } } });
      const created = summarizeEnvironment(environment);
      const retrieved = summarizeEnvironment((await c.environments.retrieve({ environmentId: created.id })).environment);
      return { created, retrieved };
    }),

  createAndWaitUntilRunning: (settings, classId) =>
    outcome(async () => {
      const c = client(settings);
      const { environment } = await c.environments.create({ spec: { machine: { class: classId } } });
      const created = summarizeEnvironment(environment);
      const running = summarizeEnvironment(await c.environments.waitForPhase(created.id, EnvironmentPhase.RUNNING, { timeoutMs: 20_000 }));
      return { created, running };
    }),

  watchWhileCreating: (settings, classId, count) =>
    outcome(async () => {
      const c = client(settings);
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(new Error(`fewer than ${count} events of the new environment within 15 s`)), 15_000);
      let subscribed = () => {};
      const headers = new Promise<void>((resolve) => (subscribed = resolve));
      const stream = c.events.watch({ scope: { case: "organization", value: true } }, { signal: abort.signal, onHeader: () => subscribed() });
      // Every event, in order: the first ones of the new environment may come before its id does.
      const received: EventSummary[] = [];
      let environmentId: string | undefined;
      const ours = () => received.filter((e) => e.resourceId === environmentId);
      let enough = () => {};
      const gotEnough = new Promise<void>((resolve) => (enough = resolve));
      const check = () => {
        if (environmentId !== undefined && ours().length >= count) enough();
      };
      const reading = (async () => {
        for await (const event of stream) {
          received.push({ operation: event.operation, resourceType: event.resourceType, resourceId: event.resourceId });
          check();
        }
        throw new Error("the event stream ended");
      })();
      try {
        // The server confirms the subscription with the response headers: nothing after it is missed.
        await Promise.race([headers, reading]);
        const { environment } = await c.environments.create({ spec: { machine: { class: classId } } });
        environmentId = summarizeEnvironment(environment).id;
        check();
        await Promise.race([gotEnough, reading]);
      } finally {
        clearTimeout(timer);
        abort.abort();
        await reading.catch(() => {});
      }
      return { environmentId, events: ours().slice(0, count) };
    }),

  retrieve: (settings, environmentId) =>
    outcome(async () => summarizeEnvironment((await client(settings).environments.retrieve({ environmentId })).environment)),
};

window.gitpodTest = api;
