// The client: one transport with the shared behaviour (user agent → retries → authentication →
// the caller's interceptors), and on it the three levels — the resource groups, calls by RPC
// name, raw requests. The Node and browser entries differ only in their Platform.
import type { Transport } from "@connectrpc/connect";
import { bearerAuthInterceptor } from "./behaviour/bearer-auth.js";
import { retryInterceptor } from "./behaviour/retry.js";
import { userAgent, userAgentInterceptor } from "./behaviour/user-agent.js";
import { RpcByName } from "./by-name/rpc-by-name.js";
import { environmentsApi, type EnvironmentsApi } from "./high-level/environments.js";
import { eventsApi, identityApi, type EventsApi, type IdentityApi } from "./high-level/events-and-identity.js";
import { runnersApi, type RunnersApi } from "./high-level/runners.js";
import { createServices, type Services } from "./high-level/services.js";
import { resolveOptions, type GitpodClientOptions, type ResolvedOptions } from "./options.js";
import { rawRequest, type RawRequest, type RawResponse } from "./raw/raw-request.js";
import { withDefaultUnaryTimeout } from "./transport/default-timeout.js";
import type { Platform } from "./transport/platform.js";

export class GitpodClientBase {
  /** Environments, their classes and automations (services, tasks, executions). */
  readonly environments: EnvironmentsApi;
  /** Runners, their policies and configurations. */
  readonly runners: RunnersApi;
  /** The event stream. */
  readonly events: EventsApi;
  /** Who the token belongs to. */
  readonly identity: IdentityApi;
  /** The connect-es client of each service, every RPC under its own name. */
  readonly services: Services;
  /** Any RPC of the schema by its name, with messages or JSON. */
  readonly rpc: RpcByName;
  /** The transport with the client's behaviour, for your own connect-es clients (createClient). */
  readonly transport: Transport;
  /** The options in effect, defaults filled in. */
  readonly options: Readonly<ResolvedOptions>;
  private readonly platform: Platform;
  private readonly agent: string;
  private readonly closeTransport: () => void;

  protected constructor(options: GitpodClientOptions, platform: Platform) {
    const resolved = resolveOptions(options, platform.protocols);
    this.options = resolved;
    this.platform = platform;
    this.agent = userAgent(resolved.userAgent);
    const interceptors = [
      userAgentInterceptor(platform.userAgentHeader, this.agent),
      ...(resolved.retry ? [retryInterceptor(resolved.retry)] : []),
      ...(resolved.token !== undefined ? [bearerAuthInterceptor(resolved.token)] : []),
      ...resolved.interceptors,
    ];
    const { transport, close } = platform.createTransport({ options: resolved, interceptors });
    this.closeTransport = close;
    this.transport = withDefaultUnaryTimeout(transport, resolved.timeoutMs);
    this.services = createServices(this.transport);
    this.environments = environmentsApi(this.services);
    this.runners = runnersApi(this.services);
    this.events = eventsApi(this.services);
    this.identity = identityApi(this.services);
    this.rpc = new RpcByName(this.transport);
  }

  /** The lowest level: an HTTP request to any path under the base URL (see RawRequest). */
  request(request: RawRequest): Promise<RawResponse> {
    const o = this.options;
    return rawRequest(
      {
        baseUrl: o.baseUrl,
        token: o.token,
        userAgent: { header: this.platform.userAgentHeader, value: this.agent },
        timeoutMs: o.timeoutMs,
        retry: o.retry,
        fetch: this.platform.fetch,
      },
      request,
    );
  }

  /** Releases the client's HTTP/2 connection, if it has one (gRPC, or httpVersion "2"); a later call opens a new one. */
  close(): void {
    this.closeTransport();
  }
}
