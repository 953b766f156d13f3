// @gitpod-connect/client for browsers (and any runtime with fetch): Connect (JSON or binary)
// and gRPC-web over connect-web.
import { GitpodClientBase } from "./client.js";
import { optionsFromEnv, type EnvironmentVariables } from "./env.js";
import type { GitpodClientOptions } from "./options.js";
import { webPlatform } from "./transport/web-platform.js";

export * from "./exports.js";

export interface WebClientOptions extends GitpodClientOptions {
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof globalThis.fetch;
}

export class GitpodClient extends GitpodClientBase {
  constructor(options: WebClientOptions = {}) {
    super(options, webPlatform(options.fetch));
  }

  /**
   * A client from GITPOD_API_KEY and GITPOD_BASE_URL in `env` — by default `process.env` where
   * a bundler or runtime provides it.
   */
  static fromEnv(options: WebClientOptions = {}, env: EnvironmentVariables = processEnv()): GitpodClient {
    return new GitpodClient({ ...optionsFromEnv(env), ...options });
  }
}

function processEnv(): EnvironmentVariables {
  return (globalThis as { process?: { env?: EnvironmentVariables } }).process?.env ?? {};
}
