// A target's known deviations: results that fail and are expected to, each with its reason. A
// failing result a deviation matches is reported "known deviation" and does not fail the run; a
// passing one it matches is reported passed with a warning ("deviation fixed": remove it).
//
//   { "deviations": [{ "scenario": "EnvironmentService.ListEnvironments/", "protocol": "grpc", "reason": "…" }] }
import { readFileSync } from "node:fs";
import { UsageError } from "./cli-options.js";
import { protocols, type Protocol, type Scenario } from "./scenario.js";
import { matches } from "./selection.js";

export interface Deviation {
  /** A scenario id, id prefix, "Service.Rpc" or service (as `--only`). */
  readonly scenario: string;
  /** Only on this protocol; every protocol when absent. */
  readonly protocol?: Protocol;
  readonly reason: string;
}

export function parseDeviations(text: string, where: string): Deviation[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--deviations: ${where} is not JSON: ${(error as Error).message}`);
  }
  const list = (parsed as { deviations?: unknown } | null)?.deviations;
  if (!Array.isArray(list)) throw new UsageError(`--deviations: ${where} must hold {"deviations": [...]}`);
  return list.map((item: unknown, index) => {
    const at = `--deviations: ${where}: deviations[${index}]`;
    if (typeof item !== "object" || item === null) throw new UsageError(`${at}: expected an object`);
    const { scenario, protocol, reason, ...rest } = item as Record<string, unknown>;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) throw new UsageError(`${at}.${unknown}: unknown key (scenario, protocol, reason)`);
    if (typeof scenario !== "string" || scenario === "") throw new UsageError(`${at}.scenario: expected a scenario id or prefix`);
    if (typeof reason !== "string" || reason === "") throw new UsageError(`${at}.reason: expected a sentence saying why`);
    if (protocol !== undefined && !protocols.includes(protocol as Protocol)) {
      throw new UsageError(`${at}.protocol: unknown protocol ${JSON.stringify(protocol)} (one of ${protocols.join(", ")})`);
    }
    return protocol === undefined ? { scenario, reason } : { scenario, protocol: protocol as Protocol, reason };
  });
}

export function readDeviations(file: string): Deviation[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`--deviations: cannot read ${file}: ${(error as Error).message}`);
  }
  return parseDeviations(text, file);
}

/** The deviation that covers `scenario` on `protocol`, if any. */
export function findDeviation(deviations: readonly Deviation[], scenario: Pick<Scenario, "id" | "service" | "rpc">, protocol: Protocol): Deviation | undefined {
  return deviations.find((d) => (d.protocol === undefined || d.protocol === protocol) && matches(scenario, d.scenario));
}
