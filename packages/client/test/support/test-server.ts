// A reference server for the client's tests: in-process, 127.0.0.1, a free port, testing controls
// on, fast simulated steps; and clients pointed at it.
import { startServer, type RunningServer, type StartServerOptions } from "@gitpod-connect/server";
import { GitpodClient, type NodeClientOptions } from "../../src/node.js";

export const apiToken = "client-test-token";
export const testingToken = "client-testing-token";

export interface ClientTestServer extends RunningServer {
  /** A client of this server with the API token (options add to or override the defaults). */
  client(options?: NodeClientOptions): GitpodClient;
  /** POST to the testing controls (/testing/v1/...), failing the test on a non-2xx answer. */
  testing(path: string, body?: unknown, method?: string): Promise<unknown>;
}

export async function startClientTestServer(options: StartServerOptions = {}): Promise<ClientTestServer> {
  const server = await startServer({ port: 0, apiKey: apiToken, stepDelayMs: 10, testingControls: { token: testingToken }, ...options });
  const clients: GitpodClient[] = [];
  const close = server.close.bind(server);
  return Object.assign(server, {
    client(clientOptions: NodeClientOptions = {}) {
      const client = new GitpodClient({ baseUrl: server.url, token: apiToken, ...clientOptions });
      clients.push(client);
      return client;
    },
    async testing(path: string, body?: unknown, method = "POST") {
      const res = await fetch(`${server.url}/testing/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${testingToken}`, "content-type": "application/json" },
        ...(method === "GET" ? {} : { body: JSON.stringify(body ?? {}) }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`testing control ${method} ${path}: HTTP ${res.status} ${text}`);
      return text ? (JSON.parse(text) as unknown) : undefined;
    },
    close: async () => {
      for (const c of clients) c.close();
      await close();
    },
  });
}
