// buf curl (the pinned @bufbuild/buf 1.75.0 CLI, connect-go inside) with NO --schema: everything it
// knows about our API comes from the server's gRPC reflection (grpc.reflection.v1, v1alpha when
// asked). buf sends no token to reflection (only -H headers to the RPC itself; --reflect-header
// would be needed otherwise), so this also proves reflection is public while the RPCs are not.
// Reflection is a bidi stream: buf speaks it over HTTP/2 (h2c with prior knowledge) in each of its
// three protocols — Connect (binary: application/connect+proto for reflection, application/proto for
// the unary call), gRPC, and gRPC-web (bidi works because buf sends gRPC-web over HTTP/2 too).
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { toJson } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { EventService } from "@gitpod-connect/schema/gitpod/v1/event";
import { IdentityService } from "@gitpod-connect/schema/gitpod/v1/identity";
import { ListEnvironmentClassesResponseSchema, RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { sequentialIds, startServer, type RunningServer } from "@gitpod-connect/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const bufPath = join(repoRoot, "node_modules", ".bin", "buf");
const bufVersion = "1.75.0";
const token = "buf-curl-reflection-token";

const gitpodServices = [EnvironmentService, EnvironmentAutomationService, RunnerService, RunnerConfigurationService, EventService, IdentityService];
const reflectionServiceNames = ["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"];

interface BufResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs buf curl asynchronously (the server runs in this process: a synchronous child would block it). */
function bufCurl(args: readonly string[]): Promise<BufResult> {
  return new Promise((resolve) => {
    execFile(bufPath, ["curl", ...args], { encoding: "utf8", timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ exitCode: code, stdout, stderr });
    });
  });
}

async function bufOk(args: readonly string[]): Promise<string> {
  const result = await bufCurl(args);
  if (result.exitCode !== 0) throw new Error(`buf curl ${args.join(" ")} exited ${result.exitCode}: ${result.stderr}`);
  return result.stdout;
}

const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");

const protocols: [title: string, flag: string][] = [
  ["gRPC", "grpc"],
  ["Connect binary", "connect"],
  ["gRPC-web", "grpcweb"],
];

let server: RunningServer;

describe("peer: buf curl (reflection)", () => {
  beforeAll(async () => {
    if (!existsSync(bufPath)) throw new Error(`the buf CLI is missing at ${bufPath}: run \`npx -y pnpm@10.34.9 install\``);
    const version = execFileSync(bufPath, ["--version"], { encoding: "utf8" }).trim();
    if (version !== bufVersion) throw new Error(`${bufPath} is buf ${version}, this peer is pinned to ${bufVersion}`);
    server = await startServer({ host: "127.0.0.1", port: 0, apiKey: token, ids: sequentialIds() });
  });
  afterAll(() => server?.close());

  /** The answer of ListEnvironmentClasses from our own typed client (Connect JSON), as protojson. */
  async function expectedEnvironmentClasses(pageSize?: number): Promise<unknown> {
    const client = createClient(
      EnvironmentService,
      createConnectTransport({
        baseUrl: server.url,
        httpVersion: "1.1",
        interceptors: [
          (next) => (req) => {
            req.header.set("authorization", `Bearer ${token}`);
            return next(req);
          },
        ],
      }),
    );
    const res = await client.listEnvironmentClasses(pageSize ? { pagination: { pageSize } } : {});
    return toJson(ListEnvironmentClassesResponseSchema, res);
  }

  for (const [title, protocol] of protocols) {
    describe(`protocol: ${title}`, () => {
      const base = () => ["--protocol", protocol, "--http2-prior-knowledge"];

      it("--list-services lists the six Gitpod services and both reflection services, without a token", async () => {
        const out = await bufOk([...base(), "--list-services", server.url]);
        expect(lines(out)).toEqual([...gitpodServices.map((s) => s.typeName), ...reflectionServiceNames].sort());
      });

      it("--list-methods lists every method of every service", async () => {
        const out = await bufOk([...base(), "--list-methods", server.url]);
        const expected = [
          ...gitpodServices.flatMap((s) => s.methods.map((m) => `${s.typeName}/${m.name}`)),
          ...reflectionServiceNames.map((n) => `${n}/ServerReflectionInfo`),
        ].sort();
        expect(lines(out).sort()).toEqual(expected);
        expect(expected.length).toBeGreaterThan(60);
      });

      it("calls EnvironmentService/ListEnvironmentClasses with the schema from reflection alone", async () => {
        const out = await bufOk([
          ...base(),
          "-H",
          `Authorization: Bearer ${token}`,
          "-d",
          JSON.stringify({ pagination: { pageSize: 10 } }),
          `${server.url}/gitpod.v1.EnvironmentService/ListEnvironmentClasses`,
        ]);
        const json = JSON.parse(out) as { environmentClasses?: { id: string; displayName?: string }[] };
        expect(json.environmentClasses?.length).toBeGreaterThan(0);
        expect(json).toEqual(await expectedEnvironmentClasses(10));
      });

      it("does the same over reflection v1alpha (--reflect-protocol grpc-v1alpha)", async () => {
        const out = await bufOk([
          ...base(),
          "--reflect-protocol",
          "grpc-v1alpha",
          "-H",
          `Authorization: Bearer ${token}`,
          `${server.url}/gitpod.v1.EnvironmentService/ListEnvironmentClasses`,
        ]);
        expect(JSON.parse(out)).toEqual(await expectedEnvironmentClasses());
      });

      it("finds the schema under the /api path prefix too", async () => {
        const out = await bufOk([...base(), "--list-services", `${server.url}/api`]);
        expect(lines(out)).toContain("gitpod.v1.RunnerService");
        const call = await bufOk([...base(), "-H", `Authorization: Bearer ${token}`, `${server.url}/api/gitpod.v1.IdentityService/GetAuthenticatedIdentity`]);
        expect(JSON.parse(call)).toMatchObject({
          subject: { id: server.bootstrap.adminUserId, principal: "PRINCIPAL_USER" },
          organizationId: server.bootstrap.organizationId,
        });
      });

      it("the RPC itself still needs a token: unauthenticated (exit code 16 << 3) after reflection succeeded", async () => {
        const result = await bufCurl([...base(), `${server.url}/gitpod.v1.EnvironmentService/ListEnvironmentClasses`]);
        expect(result.exitCode).toBe(16 << 3);
        expect(result.stderr).toContain("unauthenticated");
      });

      it("reports a service the server does not serve as missing from the reflected schema", async () => {
        const result = await bufCurl([...base(), `${server.url}/gitpod.v1.NoSuchService/Get`]);
        expect(result.exitCode).toBe(1);
        expect(result.stderr).toContain('failed to find service named "gitpod.v1.NoSuchService"');
      });
    });
  }
});
