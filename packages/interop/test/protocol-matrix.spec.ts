// The protocol matrix: every RPC of the schema (72 in six services) called with connect-es against
// the reference server over Connect JSON, Connect binary, Connect GET (the RPCs without side
// effects; the others are POSTed), gRPC and gRPC-web — the same scenario on a fresh server per
// protocol (manual clock, sequential ids, fixed page-token secret), so the answers must be
// identical: each protocol's recorded answers (proto JSON) and events must deep-equal those over
// Connect JSON. Then a table of documented errors: on every protocol the same code, raw message
// and details (including `buf.validate.Violations`) as over Connect JSON, and the documented code.
//
// Scenario: test/support/protocol-scenario.ts; errors: test/support/protocol-errors.ts; how steps
// run and what is recorded (random tokens and ciphertexts masked): test/support/protocol-run.ts.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { EventService } from "@gitpod-connect/schema/gitpod/v1/event";
import { IdentityService } from "@gitpod-connect/schema/gitpod/v1/identity";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCases, runErrorCase } from "./support/protocol-errors.js";
import { adminToken, allowsGet, protocols, startProtocolPeer, type ProtocolId, type ProtocolPeer } from "./support/protocol-peer.js";
import { codeName, runScenario, succeeded, type ErrorRecord, type StepRecord } from "./support/protocol-run.js";
import { scenario } from "./support/protocol-scenario.js";
import { callsOf, procedureOf } from "./support/protocol-steps.js";

const schemaServices: readonly DescService[] = [
  EnvironmentService,
  EnvironmentAutomationService,
  RunnerService,
  RunnerConfigurationService,
  EventService,
  IdentityService,
];
const schemaMethods = schemaServices.flatMap((s) => s.methods);
const schemaProcedures = schemaMethods.map(procedureOf);
const getProcedures = schemaMethods.filter(allowsGet).map(procedureOf);

interface ProtocolRun {
  peer: ProtocolPeer;
  records: StepRecord[];
  errors: Map<string, ErrorRecord | "succeeded">;
}

const runs = new Map<ProtocolId, ProtocolRun>();
const baselineId: ProtocolId = "connect-json";

function baseline(): ProtocolRun {
  const run = runs.get(baselineId);
  if (!run) throw new Error("the Connect JSON baseline did not run");
  return run;
}

describe("peer: connect-es", () => {
  afterAll(async () => {
    await Promise.all([...runs.values()].map((r) => r.peer.close()));
  });

  for (const protocol of protocols) {
    const isBaseline = protocol.id === baselineId;
    // Connect GET is a protocol only for the RPCs that allow it; the others it POSTs as Connect JSON.
    const cases = protocol.id === "connect-get" ? errorCases.filter((c) => allowsGet(c.method)) : errorCases;

    describe(protocol.title, () => {
      let run: ProtocolRun;
      beforeAll(async () => {
        const peer = await startProtocolPeer(protocol);
        // Registered at once, so afterAll closes the server whatever fails next.
        run = { peer, records: [], errors: new Map() };
        runs.set(protocol.id, run);
        const { records, ctx } = await runScenario(peer, scenario);
        run.records = records;
        for (const c of cases) run.errors.set(c.name, await runErrorCase(peer, c, ctx));
        // PROTOCOL_MATRIX_DUMP=dir writes what was recorded, one file per protocol, to diff by hand.
        const dump = process.env.PROTOCOL_MATRIX_DUMP;
        if (dump) {
          mkdirSync(dump, { recursive: true });
          const errors = Object.fromEntries(run.errors);
          writeFileSync(join(dump, `${protocol.id}.json`), `${JSON.stringify({ records, errors, seen: peer.seen }, null, 2)}\n`);
        }
      });

      it("every RPC of the schema answers with a success", () => {
        const failed = run.records.filter((r) => !succeeded(r.outcome));
        expect(failed, `steps that failed over ${protocol.title}`).toEqual([]);
        const ok = new Set(run.records.filter((r) => succeeded(r.outcome)).map((r) => r.procedure));
        const missing = schemaProcedures.filter((p) => !ok.has(p));
        expect(missing, `never answered with a success: ${missing.join(", ")}`).toEqual([]);
      });

      it(`the server saw every call over ${protocol.title.replace("protocol: ", "")}`, () => {
        const byProcedure = new Map(schemaMethods.map((m) => [procedureOf(m), m]));
        const wrong = run.peer.seen.flatMap((seen) => {
          const expected = protocol.expectedRequest(byProcedure.get(seen.procedure)!);
          const contentTypeOk = expected.contentType === null ? seen.contentType === null : expected.contentType.test(seen.contentType ?? "");
          return seen.httpMethod === expected.httpMethod && contentTypeOk ? [] : [{ ...seen, expected: `${expected.httpMethod} ${String(expected.contentType)}` }];
        });
        expect(wrong).toEqual([]);
        expect(new Set(run.peer.seen.map((s) => s.procedure)).size).toBe(72);
        if (protocol.id === "connect-get") {
          const gets = new Set(run.peer.seen.filter((s) => s.httpMethod === "GET").map((s) => s.procedure));
          // Every unary RPC without side effects went by GET (WatchEvents, a stream, is POSTed).
          expect([...gets].sort()).toEqual([...getProcedures].sort());
        }
      });

      if (isBaseline) {
        it("the scenario calls every RPC of the schema, 72 in 6 services, and nothing else", () => {
          expect(schemaProcedures).toHaveLength(72);
          const called = new Set([...callsOf(scenario)].map((s) => procedureOf(s.method)));
          const missing = schemaProcedures.filter((p) => !called.has(p));
          expect(missing, `never called by the scenario: ${missing.join(", ")}`).toEqual([]);
          expect([...called].filter((p) => !schemaProcedures.includes(p))).toEqual([]);
        });

        it("records every step's answer: the baseline the other protocols must equal", () => {
          expect(run.records.length).toBeGreaterThan(schemaProcedures.length);
          expect(run.records.every((r) => "response" in r.outcome || "events" in r.outcome)).toBe(true);
        });
      } else {
        it("every RPC answers as over Connect JSON", () => {
          const expected = baseline().records;
          const differences = [];
          for (let i = 0; i < Math.max(expected.length, run.records.length); i++) {
            const a = expected[i];
            const b = run.records[i];
            if (JSON.stringify(a) !== JSON.stringify(b)) differences.push({ step: a?.step ?? b?.step, procedure: a?.procedure ?? b?.procedure, connectJson: a?.outcome, [protocol.id]: b?.outcome });
          }
          expect(differences, `answers that differ from Connect JSON over ${protocol.title}`).toEqual([]);
        });
      }

      for (const c of cases) {
        const title = isBaseline ? `${c.name} carries the documented code, a message and details` : `${c.name} carries the same code, message and details`;
        it(title, () => {
          const got = run.errors.get(c.name);
          expect(got, "the call succeeded").not.toBe("succeeded");
          const error = got as ErrorRecord;
          expect(error.code).toBe(codeName(c.code));
          expect(error.rawMessage).not.toBe("");
          if (c.violations) expect(error.violations).toHaveLength(1);
          else expect(error.violations).toEqual([]);
          if (!isBaseline) {
            const expected = baseline().errors.get(c.name);
            expect(error).toEqual(expected);
          }
        });
      }

      if (protocol.id === "connect-get") {
        // Node's HTTP parser limits the request line and headers to 16 KiB (maxHeaderSize) and answers
        // 431 itself, before the server's guard (which would hold the message to 4 MiB) or connect-node
        // see the request — so no Connect error, and connect-es (which has no POST fallback for long
        // GET URLs, unlike connect-go) reports `unknown "HTTP 431"`. Over POST the same request gets
        // its documented answer. Pinned here as a known difference; see the report.
        it("known difference: a read whose message is over Node's 16 KiB header limit fails with HTTP 431 (unknown), not its POST answer", async () => {
          const request = { pagination: { token: "z".repeat(20_000) } };
          const headers = { authorization: `Bearer ${adminToken}` };
          const viaGet = await createClient(RunnerService, run.peer.transport).listRunners(request, { headers }).then(
            () => "succeeded",
            (e: unknown) => ConnectError.from(e),
          );
          const viaPost = await createClient(RunnerService, protocols[0]!.transport(run.peer.server.url)).listRunners(request, { headers }).then(
            () => "succeeded",
            (e: unknown) => ConnectError.from(e),
          );
          expect(viaPost).toMatchObject({ code: Code.InvalidArgument, rawMessage: "pagination.token: malformed page token; pass next_token unchanged or omit it" });
          expect(viaGet).toMatchObject({ code: Code.Unknown, rawMessage: "HTTP 431" });
        });
      }

      // Last: it closes this protocol's server.
      it("a watch ends cleanly when the server shuts down", async () => {
        let headed: () => void = () => {};
        const head = new Promise<void>((resolve) => (headed = resolve));
        const stream = createClient(EventService, run.peer.transport).watchEvents({}, { headers: { authorization: `Bearer ${adminToken}` }, onHeader: () => headed() });
        const next = stream[Symbol.asyncIterator]().next();
        await head;
        const [read] = await Promise.all([next, run.peer.close()]);
        expect(read.done).toBe(true);
      });
    });
  }
});
