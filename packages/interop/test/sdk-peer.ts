// The official client (@gitpod/sdk) pointed at an embedded reference server: one place that starts
// the server on 127.0.0.1 with a free port, a known admin token, a manual clock and sequential ids
// (so every run sees the same state), and builds SDK clients that record what they send and which
// SDK methods the tests exercised (sdk-coverage.ts).
import { Gitpod } from "@gitpod/sdk";
import {
  manualClock,
  sequentialIds,
  startServer,
  type ManualClock,
  type OrganizationConfig,
  type RunningServer,
  type StartServerOptions,
} from "@gitpod-connect/server";
import { recordSdkCalls } from "./sdk-coverage.js";

/** The bootstrap admin's bearer token of every peer. */
export const adminToken = "interop-admin-token";

/** One HTTP request as the SDK sent it. */
export interface SentRequest {
  method: string;
  /** The URL path, e.g. "/api/gitpod.v1.RunnerService/ListRunners". */
  path: string;
  /** The URL query, e.g. { pageSize: "10", token: "…" }. */
  query: Record<string, string>;
  /** The JSON body, parsed; undefined when there was none. */
  body: unknown;
}

/** Every request any peer's clients sent in this test file, in order. */
export const everyRequestSent: SentRequest[] = [];

export interface SdkPeer {
  readonly server: RunningServer;
  readonly clock: ManualClock;
  /** An SDK client authenticated as the bootstrap admin; its calls count towards coverage. */
  readonly sdk: Gitpod;
  /** Every request any client of this peer sent, in order. */
  readonly sent: SentRequest[];
  /** Another SDK client of the same server, with another bearer token. */
  clientWith(token: string): Gitpod;
  close(): Promise<void>;
}

/** A project of the bootstrap organization, as in the server's config file (`projects`). */
export type ProjectConfig = NonNullable<StartServerOptions["projects"]>[number];

export interface SdkPeerOptions {
  /** Extra organizations (with users and their tokens, and their projects), as in the server's config file. */
  organizations?: OrganizationConfig[];
  /** Projects of the bootstrap organization (what CreateEnvironmentFromProject starts from). */
  projects?: ProjectConfig[];
}

type Fetch = NonNullable<ConstructorParameters<typeof Gitpod>[0]>["fetch"];

function recordingFetch(sent: SentRequest[]): Fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const raw = init?.body;
    const request: SentRequest = {
      method: init?.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: typeof raw === "string" && raw !== "" ? JSON.parse(raw) : undefined,
    };
    sent.push(request);
    everyRequestSent.push(request);
    return fetch(input, init);
  };
}

export async function startSdkPeer(options: SdkPeerOptions = {}): Promise<SdkPeer> {
  const clock = manualClock();
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    apiKey: adminToken,
    clock,
    ids: sequentialIds(),
    ...(options.organizations ? { organizations: options.organizations } : {}),
    ...(options.projects ? { projects: options.projects } : {}),
  });
  const sent: SentRequest[] = [];
  const clientWith = (token: string) =>
    new Gitpod({
      bearerToken: token,
      // The official client's base URL ends in /api (https://app.gitpod.io/api); the server mounts
      // every service there too.
      baseURL: `${server.url}/api`,
      // The SDK retries 408/409/429/5xx twice by default, with back-off; a test wants each call once.
      maxRetries: 0,
      timeout: 10_000,
      fetch: recordingFetch(sent),
    });
  return {
    server,
    clock,
    sdk: recordSdkCalls(clientWith(adminToken)),
    sent,
    clientWith,
    close: () => server.close(),
  };
}
