// How scenario files declare scenarios: one factory per service, so that every id has the form
// `${service}.${rpc}/${behaviour}` and the table's rows come out right.
import type { Need, Scenario, ScenarioContext } from "./scenario.js";

export interface ScenarioOptions {
  readonly needs?: readonly Need[];
  /** Longest the scenario may take; default: the factory's, else the kit's (30 s). */
  readonly timeoutMs?: number;
}

export type DefineScenario = (rpc: string, behaviour: string, title: string, run: (ctx: ScenarioContext) => Promise<void>, options?: ScenarioOptions) => Scenario;

/** `define(rpc, behaviour, title, run, options)`: a scenario of `service`. */
export function scenarioFactory(service: string, defaults: { timeoutMs?: number } = {}): DefineScenario {
  return (rpc, behaviour, title, run, options = {}) => {
    const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
    return {
      id: `${service}.${rpc}/${behaviour}`,
      service,
      rpc,
      title,
      ...(options.needs ? { needs: options.needs } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      run,
    };
  };
}

/** A UUID in its canonical text form, any case. */
export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
