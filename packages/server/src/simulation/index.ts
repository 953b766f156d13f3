// The simulated runner and its drivers, started with the server.
import type { HandlerDeps } from "../handler-deps.js";
import { environmentDriver } from "./environment-driver.js";
import { runnerDriver } from "./runner-driver.js";
import { serviceDriver } from "./service-driver.js";
import { taskExecutionDriver } from "./task-execution-driver.js";
import { startSimulatedRunner, type SimulatedRunner, type SimulationOptions } from "./simulated-runner.js";

export { defaultSimulationOptions, type SimulatedRunner, type SimulationOptions } from "./simulated-runner.js";
export { failureInjections, failureKey, failureSteps, takeFailure, type FailureInjection, type FailureTargetKind } from "./failure-injections.js";
export { appendLog, environmentUrls } from "./environment-driver.js";

/** Starts the simulated runner with every driver. `baseUrl` is the server's URL, once it listens. */
export function startSimulation(deps: HandlerDeps, options: SimulationOptions, baseUrl: () => string): Promise<SimulatedRunner> {
  return startSimulatedRunner(deps, options, [environmentDriver({ baseUrl }), serviceDriver(), taskExecutionDriver(), runnerDriver()]);
}
