// The client in a real browser: test/browser/app.ts, bundled with esbuild for the browser (so
// "@gitpod-connect/client" is the package's `browser` export, dist/web.js), runs in headless
// Chromium on a page of one origin and calls the reference server on another (CORS, preflighted
// because of the Authorization header) with Connect JSON, Connect binary and gRPC-web.
//
// Needs Chromium at /usr/bin/chromium (Debian's `chromium` package) and the package built
// (dist/, which turbo builds before the tests): without either the tests fail, never skip.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import type { Interceptor } from "@connectrpc/connect";
import { Code } from "@connectrpc/connect";
import { EnvironmentPhase } from "@gitpod-connect/schema/gitpod/v1/environment";
import { ResourceOperation, ResourceType } from "@gitpod-connect/schema/gitpod/v1/event";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { startServer, type RunningServer } from "@gitpod-connect/server";
import { build } from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GitpodClient as NodeGitpodClient } from "../src/node.js";
import { clientName, clientVersion } from "../src/version.js";
import type { BrowserApi, ClientSettings, ErrorSummary, Outcome } from "./browser/app.js";

// Debian's chromium (scripts/install-system-packages.sh installs it), or the one CHROMIUM_PATH names.
const chromiumPath = process.env["CHROMIUM_PATH"] || "/usr/bin/chromium";
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const webEntry = fileURLToPath(new URL("../dist/web.js", import.meta.url));
const appEntry = fileURLToPath(new URL("./browser/app.ts", import.meta.url));
const token = "browser-test-token";

/** What the server-side interceptor saw of each call that reached the handlers. */
interface SeenCall {
  procedure: string;
  origin: string | null;
  contentType: string | null;
  xUserAgent: string | null;
  userAgent: string | null;
}

const seen: SeenCall[] = [];
const recorder: Interceptor = (next) => (req) => {
  const h = req.header;
  seen.push({
    procedure: `${req.service.typeName}/${req.method.name}`,
    origin: h.get("origin"),
    contentType: h.get("content-type"),
    xUserAgent: h.get("x-user-agent"),
    userAgent: h.get("user-agent"),
  });
  return next(req);
};
/** The calls of the browser client whose userAgent option was `tag`. */
const callsTagged = (tag: string) => seen.filter((c) => c.xUserAgent?.startsWith(`${tag} `));

interface StaticSite {
  server: Server;
  origin: string;
}

/** The test page and its script, from 127.0.0.1 on a free port. */
async function startStaticSite(script: string): Promise<StaticSite> {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>gitpod-connect client</title><link rel="icon" href="data:,"></head><body><script type="module" src="/app.js"></script></body></html>`;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(html);
    } else if (path === "/app.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" }).end(script);
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function closeStaticSite(site: StaticSite | undefined): Promise<void> {
  if (!site) return;
  site.server.closeAllConnections();
  await new Promise<void>((resolve) => site.server.close(() => resolve()));
}

/** The app bundled as a browser app's bundler would: the `browser` condition picks the web entry. */
async function bundleApp(): Promise<{ script: string; inputs: string[] }> {
  if (!existsSync(webEntry)) {
    throw new Error(`${webEntry} is missing: build the client first (npx -y pnpm@10.34.9 --filter @gitpod-connect/client build)`);
  }
  const result = await build({
    entryPoints: [appEntry],
    absWorkingDir: packageDir,
    bundle: true,
    platform: "browser",
    format: "esm",
    conditions: ["browser"],
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const script = result.outputFiles[0]?.text;
  if (script === undefined) throw new Error("esbuild produced no output");
  return { script, inputs: Object.keys(result.metafile.inputs) };
}

let api: RunningServer;
let browser: Browser | undefined;
let allowed: StaticSite | undefined;
let foreign: StaticSite | undefined;
let page: Page;
let foreignPage: Page;
let bundleInputs: string[];
/** What the pages logged: shown when a page misbehaves. */
const pageLog: string[] = [];

async function openPage(site: StaticSite): Promise<Page> {
  if (!browser) throw new Error("no browser");
  const context = await browser.newContext();
  const p = await context.newPage();
  const where = site.origin;
  p.on("console", (m) => pageLog.push(`${where} console.${m.type()}: ${m.text()}`));
  p.on("pageerror", (e) => pageLog.push(`${where} page error: ${e.message}`));
  await p.goto(`${site.origin}/`);
  await p.waitForFunction(() => window.gitpodTest !== undefined, undefined, { timeout: 10_000 }).catch((e: unknown) => {
    throw new Error(`the app did not start on ${site.origin}: ${String(e)}\n${pageLog.join("\n")}`);
  });
  return p;
}

type Fn = { [K in keyof BrowserApi]: BrowserApi[K] extends (settings: ClientSettings, ...rest: infer A) => unknown ? A : never };

/** Calls `window.gitpodTest[fn](settings, ...args)` in the page and returns its outcome. */
function inPage<K extends keyof BrowserApi>(p: Page, fn: K, settings: ClientSettings, ...args: Fn[K]): ReturnType<BrowserApi[K]> {
  return p.evaluate(
    ([name, s, rest]) => {
      const f = window.gitpodTest![name] as (settings: ClientSettings, ...args: unknown[]) => Promise<unknown>;
      return f(s, ...rest);
    },
    [fn, settings, args] as const,
  ) as ReturnType<BrowserApi[K]>;
}

function value<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`the call failed in the page: ${JSON.stringify(outcome.error)}\n${pageLog.join("\n")}`);
  return outcome.value;
}

function failure(outcome: Outcome<unknown>): ErrorSummary {
  if (outcome.ok) throw new Error(`the call succeeded in the page, expected it to fail: ${JSON.stringify(outcome.value)}`);
  return outcome.error;
}

/** Why the setup failed: every test fails with it (a failed beforeAll would only skip them). */
let setupError: Error | undefined;

beforeAll(async () => {
  try {
    if (!existsSync(chromiumPath)) {
      throw new Error(`Chromium is missing at ${chromiumPath}: the browser tests need it (Debian: apt-get install chromium)`);
    }
    const bundle = await bundleApp();
    bundleInputs = bundle.inputs;
    allowed = await startStaticSite(bundle.script);
    foreign = await startStaticSite(bundle.script);
    api = await startServer({ port: 0, apiKey: token, stepDelayMs: 10, corsOrigins: [allowed.origin], interceptors: [recorder] });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await openPage(allowed);
    foreignPage = await openPage(foreign);
  } catch (e) {
    setupError = e instanceof Error ? e : new Error(String(e));
  }
});

beforeEach(() => {
  if (setupError !== undefined) throw setupError;
});

afterAll(async () => {
  await browser?.close();
  await closeStaticSite(allowed);
  await closeStaticSite(foreign);
  await api?.close();
});

const protocols = [
  { name: "Connect JSON", protocol: "connect", binary: false, unary: "application/json", stream: "application/connect+json" },
  { name: "Connect binary", protocol: "connect", binary: true, unary: "application/proto", stream: "application/connect+proto" },
  { name: "gRPC-web", protocol: "grpc-web", binary: true, unary: "application/grpc-web+proto", stream: "application/grpc-web+proto" },
] as const;

let tags = 0;
/** Settings of a browser client of the API server, its calls tagged with a fresh user agent prefix. */
function settings(protocol: (typeof protocols)[number], extra: Partial<ClientSettings> = {}): ClientSettings {
  return { baseUrl: api.url, token, protocol: protocol.protocol, binary: protocol.binary, userAgent: `browser-spec-${++tags}/1.0`, ...extra };
}

describe("the bundle", () => {
  it("is built from the package's web entry (the browser export condition), without the Node transports", () => {
    expect(bundleInputs).toContain("dist/web.js");
    expect(bundleInputs).toContain("dist/transport/web-platform.js");
    expect(bundleInputs.filter((i) => i.startsWith("dist/") && /node/.test(i))).toEqual([]);
    expect(bundleInputs.filter((i) => i.includes("connect-node") || i.startsWith("node:"))).toEqual([]);
  });
});

describe.each(protocols)("from the page over $name", (p) => {
  it("gets the token's identity", async () => {
    const s = settings(p);
    const identity = value(await inPage(page, "identity", s));
    expect(identity).toEqual({ organizationId: api.bootstrap.organizationId, subjectId: api.bootstrap.adminUserId, principal: Principal.USER });
    // It went over the wire as asked, from the page's origin.
    expect(callsTagged(s.userAgent)).toMatchObject([{ procedure: "gitpod.v1.IdentityService/GetAuthenticatedIdentity", origin: allowed!.origin, contentType: p.unary }]);
  });

  it("lists the environment classes", async () => {
    const classes = value(await inPage(page, "listClasses", settings(p)));
    expect(classes).toEqual([expect.objectContaining({ id: api.bootstrap.environmentClassId, runnerId: api.bootstrap.runnerId, enabled: true })]);
  });

  it("creates an environment and retrieves it", async () => {
    const s = settings(p);
    const { created, retrieved } = value(await inPage(page, "createAndRetrieve", s, api.bootstrap.environmentClassId));
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.classId).toBe(api.bootstrap.environmentClassId);
    expect(retrieved).toMatchObject({ id: created.id, classId: api.bootstrap.environmentClassId });
    expect(callsTagged(s.userAgent).map((c) => c.procedure)).toEqual(["gitpod.v1.EnvironmentService/CreateEnvironment", "gitpod.v1.EnvironmentService/GetEnvironment"]);
  });

  it("streams WatchEvents: the events of an environment created while watching arrive one by one", async () => {
    const s = settings(p);
    const { environmentId, events } = value(await inPage(page, "watchWhileCreating", s, api.bootstrap.environmentClassId, 3));
    expect(events).toHaveLength(3);
    expect(events[0]).toEqual({ operation: ResourceOperation.CREATE, resourceType: ResourceType.ENVIRONMENT, resourceId: environmentId });
    // Then its changes as the simulated runner moves it along (status updates, spec updates).
    for (const later of events.slice(1)) {
      expect(later).toMatchObject({ resourceType: ResourceType.ENVIRONMENT, resourceId: environmentId });
      expect([ResourceOperation.UPDATE, ResourceOperation.UPDATE_STATUS]).toContain(later.operation);
    }
    expect(callsTagged(s.userAgent)).toContainEqual(expect.objectContaining({ procedure: "gitpod.v1.EventService/WatchEvents", contentType: p.stream }));
  });

  it("waits until a new environment is RUNNING (waitForPhase)", async () => {
    const s = settings(p);
    const { created, running } = value(await inPage(page, "createAndWaitUntilRunning", s, api.bootstrap.environmentClassId));
    expect(running).toMatchObject({ id: created.id, phase: EnvironmentPhase.RUNNING, phaseName: "RUNNING" });
    // It had to wait (the environment is created in an earlier phase), and it waited on the event stream.
    expect(created.phaseName).not.toBe("RUNNING");
    expect(callsTagged(s.userAgent)).toContainEqual(expect.objectContaining({ procedure: "gitpod.v1.EventService/WatchEvents", contentType: p.stream }));
  });

  it("gets a server error as the client's ConnectError, with the server's code and message", async () => {
    const unknownId = randomUUID();
    const error = failure(await inPage(page, "retrieve", settings(p), unknownId));
    // What the server says to a Node client of the same call.
    const node = new NodeGitpodClient({ baseUrl: api.url, token, retry: false });
    const expected = await node.environments.retrieve({ environmentId: unknownId }).then(
      () => undefined,
      (e: unknown) => e as { code: Code; rawMessage: string },
    );
    node.close();
    expect(expected?.code).toBe(Code.NotFound);
    expect(error).toMatchObject({ isConnectError: true, name: "ConnectError", code: Code.NotFound, codeName: "NotFound", rawMessage: expected?.rawMessage });
    expect(error.rawMessage).toContain(unknownId);
    expect(error.message).toBe(`[not_found] ${expected?.rawMessage}`);
  });
});

describe("the user agent", () => {
  it(`goes in X-User-Agent, after the caller's prefix: "<prefix> ${clientName}/${clientVersion} ..."`, async () => {
    for (const p of protocols) {
      const s = settings(p);
      value(await inPage(page, "identity", s));
      const [call, ...more] = callsTagged(s.userAgent);
      expect(more).toEqual([]);
      expect(call?.xUserAgent).toContain(`${clientName}/`);
      expect(call?.xUserAgent?.startsWith(`${s.userAgent} ${clientName}/${clientVersion}`)).toBe(true);
      // User-Agent stays the browser's own.
      expect(call?.userAgent).toMatch(/Chrome\//);
      expect(call?.userAgent).not.toContain(clientName);
    }
  });
});

describe("a page of an origin not in corsOrigins", () => {
  it("cannot call the API: the call fails in the page and never reaches the handlers", async () => {
    for (const p of protocols) {
      const s = settings(p, { retry: false });
      const error = failure(await inPage(foreignPage, "identity", s));
      if (error.isConnectError) {
        expect([Code.Unknown, Code.Unavailable]).toContain(error.code);
      } else {
        expect(error.name).toBe("TypeError");
      }
      expect(`${error.message} ${error.cause ?? ""}`).toMatch(/Failed to fetch/);
      expect(callsTagged(s.userAgent)).toEqual([]);
    }
    expect(seen.filter((c) => c.origin === foreign!.origin)).toEqual([]);
    // The browser refused it for CORS (the server answers the preflight of that origin with 403).
    expect(pageLog.filter((l) => l.startsWith(`${foreign!.origin} `) && /blocked by CORS policy/.test(l))).not.toEqual([]);
  });
});
