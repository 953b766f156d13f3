// Per-call overhead of @gitpod-connect/client over a bare connect-es client, in the same run.
// Two settings:
//   in memory  — both clients on connect-es's router transport with a trivial handler: no
//                network, so the figure is the client's own cost (interceptors, option
//                handling, default deadline);
//   HTTP/1.1   — both against the reference server in this process, Connect JSON: the cost as a
//                caller sees it, next to a real round trip.
// Rounds alternate between the clients so drift (JIT, GC, the machine) hits both alike; the
// figure per client is the median over rounds of the mean µs per call.
//
//   node bench/overhead.mjs [calls per round, default 2000] [rounds, default 15]
import { create } from "@bufbuild/protobuf";
import { createClient, createRouterTransport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { GetAuthenticatedIdentityResponseSchema, IdentityService } from "@gitpod-connect/schema/gitpod/v1/identity";
import { startServer } from "@gitpod-connect/server";
import { GitpodClient, GitpodClientBase } from "@gitpod-connect/client/node";

const calls = Number(process.argv[2] ?? 2_000);
const rounds = Number(process.argv[3] ?? 15);
const token = "bench-token";
const auth = (next) => (req) => (req.header.set("authorization", `Bearer ${token}`), next(req));

/** Mean µs per call of `call` over `calls` sequential calls. */
async function measure(call) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await call();
  return Number(process.hrtime.bigint() - started) / 1_000 / calls;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function compare(label, bare, ours) {
  for (let i = 0; i < 300; i++) await bare(), await ours(); // warm-up
  const b = [];
  const o = [];
  for (let r = 0; r < rounds; r++) {
    b.push(await measure(bare));
    o.push(await measure(ours));
  }
  const mb = median(b);
  const mo = median(o);
  console.log(`| ${label} | ${mb.toFixed(1)} | ${mo.toFixed(1)} | ${(mo - mb).toFixed(1)} | ${(((mo - mb) / mb) * 100).toFixed(1)} % |`);
}

/** The client on a transport of our choosing (GitpodClientBase takes a platform). */
class RouterClient extends GitpodClientBase {
  constructor(transportFor) {
    super(
      { baseUrl: "http://in-memory", token },
      { protocols: ["connect"], userAgentHeader: "user-agent", fetch, createTransport: ({ interceptors }) => ({ transport: transportFor(interceptors), close() {} }) },
    );
  }
}

const identity = create(GetAuthenticatedIdentityResponseSchema, { organizationId: "0190aaaa-0000-7000-8000-000000000000" });
const routes = (router) => router.service(IdentityService, { getAuthenticatedIdentity: () => identity });

console.log(`node ${process.version}, ${calls} calls × ${rounds} rounds per client; µs per call (median of round means)\n`);
console.log("| setting | bare connect-es | @gitpod-connect/client | overhead µs | overhead |");
console.log("| --- | ---: | ---: | ---: | ---: |");

{
  const bare = createClient(IdentityService, createRouterTransport(routes, { transport: { interceptors: [auth] } }));
  const ours = new RouterClient((interceptors) => createRouterTransport(routes, { transport: { interceptors } }));
  await compare("in memory (router transport)", () => bare.getAuthenticatedIdentity({}), () => ours.identity.getAuthenticatedIdentity({}));
}

const server = await startServer({ port: 0, apiKey: token });
try {
  const bare = createClient(IdentityService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [auth] }));
  const ours = new GitpodClient({ baseUrl: server.url, token });
  await compare("HTTP/1.1 to the reference server", () => bare.getAuthenticatedIdentity({}), () => ours.identity.getAuthenticatedIdentity({}));
} finally {
  await server.close();
}
