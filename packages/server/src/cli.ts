#!/usr/bin/env node
// `node dist/cli.js [--host H] [--port P] [--config FILE] [--api-key TOKEN] [--step-delay-ms N]
// [--archive-after-ms N] [--testing-controls] [--testing-token TOKEN] [--cors-origin ORIGIN]...
// [--data-dir DIR | --database-url URL | --in-memory]`
// (see `usage` in config.ts): runs the reference server until SIGTERM or SIGINT, then shuts down
// gracefully and exits 0.
import { newToken } from "./auth/token-store.js";
import { ConfigError, loadConfig, storeConfigOf, usage } from "./config.js";
import { startServer } from "./start-server.js";

async function main(): Promise<number | undefined> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  if (config.help) {
    console.log(usage);
    return 0;
  }
  // Signal handlers first: a SIGTERM that arrives while starting still ends in a clean exit 0.
  let stopping = false;
  // Like the admin token, a testing token nobody chose is generated here and shown once below.
  const testingToken = config.testingControls ? (config.testingToken ?? newToken()) : undefined;
  const starting = startServer({
    host: config.host,
    port: config.port,
    organizations: config.organizations,
    projects: config.projects,
    stepDelayMs: config.stepDelayMs,
    archiveAfterMs: config.archiveAfterMs,
    corsOrigins: config.corsOrigins,
    store: storeConfigOf(config),
    ...(config.apiKey !== undefined ? { apiKey: config.apiKey } : {}),
    ...(testingToken !== undefined ? { testingControls: { token: testingToken } } : {}),
  });
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    starting
      .then((server) => server.close())
      .then(
        () => process.exit(0),
        (e: unknown) => {
          console.error("shutdown failed", e);
          process.exit(1);
        },
      );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  const server = await starting;
  const b = server.bootstrap;
  console.log(`store: ${server.storeDescription}${server.resumed ? ", resumed with the state of earlier starts" : ""}`);
  console.log(`bootstrap organization ${b.organizationId}, runner ${b.runnerId}, environment class ${b.environmentClassId}`);
  if (b.adminTokenGenerated) console.log(`admin token (shown once${server.resumed ? "; the tokens of earlier starts stay valid" : ""}): ${b.adminToken}`);
  else console.log("admin token: the GITPOD_API_KEY / --api-key given");
  if (testingToken !== undefined) {
    console.log(`testing controls enabled under ${server.url}/testing/v1`);
    if (config.testingToken === undefined) console.log(`testing token (shown once): ${testingToken}`);
    else console.log("testing token: the GITPOD_TESTING_TOKEN / --testing-token given");
  }
  if (config.corsOrigins.length > 0) console.log(`CORS: browsers may call from ${config.corsOrigins.join(", ")}`);
  // Last, so that whoever waits for this line finds everything above already printed.
  console.log(`gitpod-connect server listening on ${server.url} (Connect, gRPC, gRPC-web; HTTP/1.1 and h2c)`);
  return undefined;
}

main().then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
