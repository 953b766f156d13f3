// Which scenarios a run includes (`--only`, `--skip`) and which results a deviations file
// excuses. One rule matches everywhere: a pattern names a scenario by its id or an id prefix
// ("EnvironmentService.GetEnvironment/" or "EnvironmentService.GetEnvironment"), by its RPC
// ("EnvironmentService.GetEnvironment") or by its service ("EnvironmentService").
import type { Scenario } from "./scenario.js";

export function matches(scenario: Pick<Scenario, "id" | "service" | "rpc">, pattern: string): boolean {
  return scenario.id.startsWith(pattern) || scenario.service === pattern || `${scenario.service}.${scenario.rpc}` === pattern;
}

/** The scenarios `--only` (any one) and `--skip` (none) leave, in their order. */
export function selectScenarios(scenarios: readonly Scenario[], only: readonly string[], skip: readonly string[]): Scenario[] {
  return scenarios.filter((s) => (only.length === 0 || only.some((p) => matches(s, p))) && !skip.some((p) => matches(s, p)));
}
