// Drives task executions: after every committed write of an unfinished execution, its next step
// (domain/automations/task-execution-lifecycle.ts) runs one step delay later, in a transaction of
// its own that also starts the services its plan needs and takes injected `run` failures. An
// execution waiting for a service is not polled: the service's next write wakes it.
import { isFinished, services, startServiceById, stepTaskExecution, taskExecutions, type TaskExecutionRecord } from "../domain/automations/index.js";
import { forEachRecord } from "../store/scan.js";
import type { StoreChange } from "../store/store.js";
import { takeFailure } from "./failure-injections.js";
import type { Driver, SimulatedRunner } from "./simulated-runner.js";

const stepKey = (id: string) => `task-execution/${id}`;

export function taskExecutionDriver(): Driver {
  /** service id → the executions (id → organization) waiting for it to change. */
  const waiting = new Map<string, Map<string, string>>();

  function waitFor(serviceId: string, executionId: string, organizationId: string): void {
    let forService = waiting.get(serviceId);
    if (!forService) waiting.set(serviceId, (forService = new Map<string, string>()));
    forService.set(executionId, organizationId);
  }

  async function step(runner: SimulatedRunner, organizationId: string, id: string): Promise<void> {
    const { deps } = runner;
    await deps.store.transaction(async (tx) => {
      const record = await tx.collection(taskExecutions).get(id, { organizationId });
      if (!record || !runner.isCurrent(taskExecutions.name, record)) return;
      const value = record.value;
      const result = await stepTaskExecution(value.execution, {
        now: deps.clock.now(),
        failure: (taskId) => takeFailure(tx, organizationId, taskId, "run"),
        service: async (serviceId) => (await tx.collection(services).get(serviceId, { organizationId }))?.value,
        startService: async (serviceId) => void (await startServiceById(tx, organizationId, serviceId)),
      });
      if (!result) return;
      // Registered before the commit, so a service change committed right after cannot be missed.
      for (const serviceId of result.waitingOn) waitFor(serviceId, id, organizationId);
      if (result.changed) await tx.collection(taskExecutions).update(id, value, { organizationId, expectVersion: record.version });
    });
  }

  function plan(runner: SimulatedRunner, organizationId: string, record: TaskExecutionRecord): void {
    const id = record.execution.id;
    if (isFinished(record.execution)) runner.cancel(stepKey(id));
    else runner.schedule(stepKey(id), () => step(runner, organizationId, id));
  }

  function wake(runner: SimulatedRunner, serviceId: string): void {
    const forService = waiting.get(serviceId);
    if (!forService) return;
    waiting.delete(serviceId);
    for (const [id, organizationId] of forService) runner.schedule(stepKey(id), () => step(runner, organizationId, id));
  }

  return {
    collections: [taskExecutions.name],
    onChanges(changes: readonly StoreChange[], runner) {
      for (const change of changes) {
        if (change.collection === services.name) wake(runner, change.record.id);
        else if (change.collection === taskExecutions.name) {
          if (change.op === "delete") runner.cancel(stepKey(change.record.id));
          else plan(runner, change.record.organizationId, change.record.value as TaskExecutionRecord);
        }
      }
    },
    resume: (runner) =>
      forEachRecord(runner.deps.store, taskExecutions, (r) => {
        runner.observe(taskExecutions.name, r);
        plan(runner, r.organizationId, r.value);
      }),
  };
}
