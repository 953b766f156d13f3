// Automations of environments: services, tasks and task executions — the records, finding what a
// call names, the state machines the simulated runner drives, task plans and dependencies,
// automations files, triggers, and the hooks the environment lifecycle calls.
export * from "./records.js";
export * from "./automation-lookup.js";
export { newServiceRecord, newTaskRecord, type NewAutomation } from "./automation-creation.js";
export { startServiceById, startTaskRun, removeService, removeTask, removeAutomationsOf, type TaskRun } from "./automation-writes.js";
export {
  nextServiceAction,
  stepService,
  requestStart,
  requestStop,
  requestDelete,
  isAtRest,
  isBeingDeleted,
  durationMs,
  type ServiceAction,
  type ServiceFailureStep,
  type ServiceStepContext,
  type ServiceStepResult,
} from "./service-lifecycle.js";
export { stepTaskExecution, stopExecution, isFinished, type ExecutionStepContext, type ExecutionStepResult } from "./task-execution-lifecycle.js";
export { environmentGraph, buildPlan, planLayers, findCycle, type AutomationGraph, type AutomationNode } from "./execution-plan.js";
export { checkDependsOn } from "./task-dependencies.js";
export { applyServiceUpdate } from "./service-update.js";
export { applyTaskUpdate } from "./task-update.js";
export { upsertAutomationsFile, type AppliedAutomationsFile } from "./automations-file.js";
export { applyAutomationsFile, onLifecyclePoint } from "./lifecycle-hooks.js";
export { checkTriggers, triggerName, triggerKind, type TriggerKind } from "./triggers.js";
export { commandOutcome, type CommandOutcome } from "./command-outcome.js";
export { assertDefined, enumName } from "./enum-values.js";
