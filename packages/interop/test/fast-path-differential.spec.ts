// The differential test of the server's unary fast path (server src/http/unary-fast-path.ts): the
// whole protocol matrix — every RPC of the scenario and every documented error, on each protocol —
// sent through a proxy to two servers, one on the fast path and one with every call through
// connect-node's handlers. Every unary answer must be identical: status, the headers and trailers
// that carry meaning, and the body byte for byte. (The server's hostile-input suite does the same
// for malformed requests.) Both servers start from the same state and draw the same "random" bytes
// (support/differential-proxy.ts), so that even issued tokens and sealed secrets compare.
import type { DescMethod } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installDeterministicRandomness, seedRandomness, startDifferentialProxy, type DifferentialProxy } from "./support/differential-proxy.js";
import { errorCases, runErrorCase } from "./support/protocol-errors.js";
import { allowsGet, protocols, startProtocolPeer, type ProtocolPeer } from "./support/protocol-peer.js";
import { runScenario, succeeded, type StepRecord } from "./support/protocol-run.js";
import { scenario } from "./support/protocol-scenario.js";
import { callsOf } from "./support/protocol-steps.js";

installDeterministicRandomness();
// The server secret is per process and drawn at its first use, which would shift one server's draws.
process.env.GITPOD_SERVER_SECRET ??= "fast-path-differential-test-secret";

const streamPaths = new Set(
  [...callsOf(scenario)]
    .map((s) => s.method as DescMethod)
    .filter((m) => m.methodKind !== "unary")
    .map((m) => `/${m.parent.typeName}/${m.name}`),
);

for (const protocol of protocols) {
  describe(`${protocol.title}: the fast path against connect-node`, () => {
    let fast: ProtocolPeer;
    let stock: ProtocolPeer;
    let proxy: DifferentialProxy;
    let records: StepRecord[] = [];
    let errorsCompared = 0;

    beforeAll(async () => {
      // Both servers start from the same seed, so they hold the same secrets.
      const startSeed = 1;
      seedRandomness(startSeed);
      fast = await startProtocolPeer(protocol, { unaryFastPath: true });
      seedRandomness(startSeed);
      stock = await startProtocolPeer(protocol, { unaryFastPath: false });
      proxy = await startDifferentialProxy(fast.server.url, stock.server.url, (path) => streamPaths.has(path.replace(/^\/api/, "")));
      const peer: ProtocolPeer = {
        protocol,
        server: fast.server,
        transport: protocol.transport(proxy.url),
        seen: fast.seen,
        // Time moves on both servers alike: the simulated runner's steps draw random bytes too.
        clock: Object.assign(Object.create(fast.clock) as ProtocolPeer["clock"], {
          advance: async (ms: number) => {
            const seed = proxy.nextSeed();
            await fast.clock.advance(ms);
            seedRandomness(seed);
            await stock.clock.advance(ms);
          },
        }),
        close: () => Promise.resolve(),
      };
      const run = await runScenario(peer, scenario);
      records = run.records;
      const cases = protocol.id === "connect-get" ? errorCases.filter((c) => allowsGet(c.method)) : errorCases;
      for (const c of cases) {
        await runErrorCase(peer, c, run.ctx);
        errorsCompared += 1;
      }
    }, 120_000);

    afterAll(async () => {
      await proxy?.close();
      await Promise.all([fast?.close(), stock?.close()]);
    });

    it("runs the whole scenario through the proxy, every step answered as on a server alone", () => {
      expect(records.filter((r) => !succeeded(r.outcome))).toEqual([]);
      expect(errorsCompared).toBeGreaterThan(0);
      expect(proxy.compared()).toBeGreaterThan(100);
    });

    it("every unary answer of the fast path equals connect-node's: status, headers, body, trailers", async () => {
      if (process.env.DIFF_DUMP) (await import("node:fs")).writeFileSync(`${process.env.DIFF_DUMP}-${protocol.id}.json`, JSON.stringify(proxy.mismatches));
      expect(proxy.mismatches).toEqual([]);
    });
  });
}
