// What `gitpod-conformance` does (src/cli.ts only calls it): parses the command line, runs the
// suite, prints the table, writes the reports and answers the exit code (0 green, 1 a failure or
// a target the suite cannot run on, 2 a usage error).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseOptions, usage, UsageError, type KitOptions } from "./cli-options.js";
import { readDeviations, type Deviation } from "./deviations.js";
import { renderJson } from "./report/json.js";
import { renderJunit } from "./report/junit.js";
import { renderTable } from "./report/table.js";
import { FixturesError, runSuite } from "./run-suite.js";
import type { Scenario } from "./scenario.js";
import { allScenarios, duplicateIds } from "./scenarios/index.js";
import { selectScenarios } from "./selection.js";

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** The scenarios per service, with their RPC and need, for `--list`. */
export function renderList(scenarios: readonly Scenario[], options: Pick<KitOptions, "protocols">): string {
  const services = new Map<string, Scenario[]>();
  for (const s of scenarios) services.set(s.service, [...(services.get(s.service) ?? []), s]);
  const out: string[] = [];
  for (const [service, list] of services) {
    out.push(`${service} (${list.length})`);
    for (const s of list) out.push(`  ${s.id}${s.needs?.length ? ` [needs ${s.needs.join(", ")}]` : ""} — ${s.title}`);
  }
  const rpcs = new Set(scenarios.map((s) => `${s.service}.${s.rpc}`)).size;
  const rows = [...services].map(([service, list]) => [
    service,
    String(new Set(list.map((s) => s.rpc)).size),
    String(list.length),
    String(list.filter((s) => s.needs?.includes("second-organization")).length),
    String(list.filter((s) => s.needs?.includes("testing-controls")).length),
  ]);
  const header = ["service", "RPCs", "scenarios", "need a second organization", "need testing controls"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  out.push("", line(header), ...rows.map(line));
  out.push(
    "",
    `${scenarios.length} scenarios of ${rpcs} RPCs in ${services.size} services; × ${options.protocols.length} protocols (${options.protocols.join(", ")}) = ${scenarios.length * options.protocols.length} results`,
  );
  return out.join("\n");
}

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Runs the command; resolves with its exit code. `scenarios` defaults to the kit's. */
export async function main(argv: readonly string[], io: CliIo = processIo, scenarios: readonly Scenario[] = allScenarios): Promise<number> {
  let options: KitOptions;
  let deviations: Deviation[] = [];
  try {
    options = parseOptions(argv);
    if (options.help) {
      io.out(usage);
      return 0;
    }
    if (options.deviationsFile !== undefined) deviations = readDeviations(options.deviationsFile);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`gitpod-conformance: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const duplicates = duplicateIds(scenarios);
  if (duplicates.length > 0) {
    io.err(`gitpod-conformance: scenario ids used twice: ${duplicates.join(", ")}`);
    return 1;
  }
  const selected = selectScenarios(scenarios, options.only, options.skip);
  if (options.list) {
    io.out(renderList(selected, options));
    return 0;
  }
  if (selected.length === 0) {
    io.err(`gitpod-conformance: --only/--skip leave no scenario (see --list)`);
    return 2;
  }
  io.err(`running ${selected.length} scenarios × ${options.protocols.length} protocols against ${options.url} …`);
  try {
    const report = await runSuite({
      url: options.url,
      token: options.token,
      protocols: options.protocols,
      scenarios: selected,
      secondToken: options.secondToken,
      testingUrl: options.testingUrl,
      testingToken: options.testingToken,
      deviations,
      concurrency: options.concurrency,
      onResult: (r) => {
        if (r.outcome === "failed") io.err(`✗ ${r.id} [${r.protocol}]: ${(r.message ?? "").split("\n")[0] ?? ""}`);
      },
    });
    io.out(renderTable(report));
    if (options.reportJson !== undefined) write(options.reportJson, renderJson(report));
    if (options.reportJunit !== undefined) write(options.reportJunit, renderJunit(report));
    return report.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof FixturesError) {
      io.err(`gitpod-conformance: cannot run against ${options.url}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
