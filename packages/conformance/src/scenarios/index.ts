// Every scenario of the kit, in report order: by service, then as each file lists them.
import type { Scenario } from "../scenario.js";
import { environmentAutomationServiceScenarios } from "./environment-automation-service.js";
import { environmentServiceScenarios } from "./environment-service.js";
import { eventServiceScenarios } from "./event-service.js";
import { identityServiceScenarios } from "./identity-service.js";
import { kitSelfCheckScenarios } from "./kit-self-checks.js";
import { runnerConfigurationServiceScenarios } from "./runner-configuration-service.js";
import { runnerServiceScenarios } from "./runner-service.js";

export const allScenarios: readonly Scenario[] = [
  ...identityServiceScenarios,
  ...kitSelfCheckScenarios,
  ...environmentServiceScenarios,
  ...environmentAutomationServiceScenarios,
  ...runnerServiceScenarios,
  ...runnerConfigurationServiceScenarios,
  ...eventServiceScenarios,
];

/** Two scenarios with one id would make `--only`, `--skip` and deviations ambiguous. */
export function duplicateIds(scenarios: readonly Scenario[]): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const s of scenarios) (seen.has(s.id) ? duplicates : seen).add(s.id);
  return [...duplicates];
}
