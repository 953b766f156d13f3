// @gitpod-connect/client for Node: Connect (JSON or binary), gRPC-web and gRPC over
// connect-node, HTTP/1.1 or HTTP/2.
import { GitpodClientBase } from "./client.js";
import { optionsFromEnv, type EnvironmentVariables } from "./env.js";
import type { GitpodClientOptions } from "./options.js";
import { nodePlatform, type HttpVersion } from "./transport/node-platform.js";

export * from "./exports.js";
export type { HttpVersion } from "./transport/node-platform.js";

export interface NodeClientOptions extends GitpodClientOptions {
  /** Connect and gRPC-web: "1.1" (default) or "2". gRPC is always HTTP/2. */
  httpVersion?: HttpVersion;
}

export class GitpodClient extends GitpodClientBase {
  constructor(options: NodeClientOptions = {}) {
    if (options.httpVersion !== undefined && options.httpVersion !== "1.1" && options.httpVersion !== "2") {
      throw new TypeError(`GitpodClient: options.httpVersion must be "1.1" or "2", got ${JSON.stringify(options.httpVersion)}`);
    }
    super(options, nodePlatform(options.httpVersion));
  }

  /**
   * A client from the environment, as the official clients read it: GITPOD_API_KEY (required)
   * and GITPOD_BASE_URL (default https://app.gitpod.io/api). `options` adds to or overrides them.
   */
  static fromEnv(options: NodeClientOptions = {}, env: EnvironmentVariables = process.env): GitpodClient {
    return new GitpodClient({ ...optionsFromEnv(env), ...options });
  }
}
