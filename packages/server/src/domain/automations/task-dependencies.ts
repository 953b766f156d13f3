// The depends_on list of a task created or changed through the API: ids of services or tasks of
// the same environment (anything else, also another environment's or organization's, is
// invalid_argument naming `depends_on[i]`), and no cycle (invalid_argument naming `depends_on`).
import { invalidArgument } from "../../errors.js";
import { describePath, findCycle, type AutomationGraph } from "./execution-plan.js";

const q = (s: string) => JSON.stringify(s);

/**
 * Checks `dependsOn` for the task `taskId` (undefined for a task being created, which nothing
 * depends on yet) against the environment's graph; returns it without repeated ids.
 */
export function checkDependsOn(graph: AutomationGraph, environmentId: string, taskId: string | undefined, dependsOn: readonly string[]): string[] {
  dependsOn.forEach((id, i) => {
    if (!graph.has(id) && id !== taskId) throw invalidArgument(`depends_on[${i}]`, `${q(id)} is not a service or task of environment ${q(environmentId)}`);
  });
  const unique = [...new Set(dependsOn)];
  if (taskId !== undefined) {
    const next: AutomationGraph = new Map(graph);
    next.set(taskId, { ...graph.get(taskId)!, dependsOn: unique });
    const cycle = findCycle(next, taskId);
    if (cycle) throw invalidArgument("depends_on", `would create a dependency cycle: ${describePath(next, cycle)}`);
  }
  return unique;
}
