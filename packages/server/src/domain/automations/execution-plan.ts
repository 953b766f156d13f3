// Dependencies between the automations of one environment, and the plan of a task's run.
//
// A task depends on services and tasks (by id); services depend on nothing. The plan of a run holds
// the started task's dependency closure in groups, by topological layer: a step's group comes after
// every group holding something it depends on (group = 1 + the largest group of its dependencies;
// no dependencies: group 0), so the started task is alone in the last group. Steps of one group
// run at the same time.
import { create } from "@bufbuild/protobuf";
import {
  TaskExecutionSpec_GroupSchema,
  type TaskExecutionSpec_Group,
  type TaskSpec,
} from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { recordsWhere } from "../../store/scan.js";
import type { Transaction } from "../../store/store.js";
import { services, tasks } from "./records.js";

/** One automation as a node of the environment's dependency graph. */
export interface AutomationNode {
  id: string;
  kind: "task" | "service";
  reference: string;
  /** The step label: the display name, else the reference. */
  label: string;
  dependsOn: string[];
  /** A task's spec, captured into the plan. */
  spec?: TaskSpec;
}

export type AutomationGraph = Map<string, AutomationNode>;

/** The services and tasks of the environment as a graph (services first), read in the caller's transaction. */
export async function environmentGraph(tx: Transaction, organizationId: string, environmentId: string): Promise<AutomationGraph> {
  const graph: AutomationGraph = new Map();
  for (const { value } of await recordsWhere(tx, services, organizationId, (r) => r.service.environmentId === environmentId)) {
    const s = value.service;
    const reference = s.metadata?.reference ?? "";
    graph.set(s.id, { id: s.id, kind: "service", reference, label: s.metadata?.name || reference, dependsOn: [] });
  }
  for (const { value } of await recordsWhere(tx, tasks, organizationId, (r) => r.task.environmentId === environmentId)) {
    const t = value.task;
    const reference = t.metadata?.reference ?? "";
    graph.set(t.id, { id: t.id, kind: "task", reference, label: t.metadata?.name || reference, dependsOn: [...t.dependsOn], ...(t.spec ? { spec: t.spec } : {}) });
  }
  return graph;
}

/** A path `start → … → start` through dependencies, or undefined when `start` is on no cycle. */
export function findCycle(graph: AutomationGraph, start: string): string[] | undefined {
  const done = new Set<string>();
  const walk = (id: string, path: string[]): string[] | undefined => {
    for (const dep of graph.get(id)?.dependsOn ?? []) {
      if (dep === start) return [...path, dep];
      if (done.has(dep) || path.includes(dep)) continue;
      const found = walk(dep, [...path, dep]);
      if (found) return found;
    }
    done.add(id);
    return undefined;
  };
  return walk(start, [start]);
}

/** "a → b → a", by reference. */
export const describePath = (graph: AutomationGraph, path: readonly string[]) => path.map((id) => graph.get(id)?.reference ?? id).join(" → ");

export class DependencyCycleError extends Error {
  constructor(readonly path: string[]) {
    super(`dependency cycle: ${path.join(" → ")}`);
  }
}

/**
 * The dependency closure of `rootId` in topological layers; within a layer, in the order a
 * depth-first walk of the dependencies (in listed order) finishes them. Ids no longer in the graph
 * are left out. Throws DependencyCycleError on a cycle.
 */
export function planLayers(graph: AutomationGraph, rootId: string): AutomationNode[][] {
  const layerOf = new Map<string, number>();
  const order: string[] = [];
  const visit = (id: string, path: string[]): number => {
    const known = layerOf.get(id);
    if (known !== undefined) return known;
    if (path.includes(id)) throw new DependencyCycleError([...path.slice(path.indexOf(id)), id]);
    const node = graph.get(id)!;
    let layer = 0;
    for (const dep of node.dependsOn) if (graph.has(dep)) layer = Math.max(layer, visit(dep, [...path, id]) + 1);
    layerOf.set(id, layer);
    order.push(id);
    return layer;
  };
  if (!graph.has(rootId)) return [];
  visit(rootId, []);
  const layers: AutomationNode[][] = [];
  for (const id of order) (layers[layerOf.get(id)!] ??= []).push(graph.get(id)!);
  return layers;
}

/** The plan of a run of `rootId`: one group per layer, each step with a new id and the step ids it waits for. */
export function buildPlan(graph: AutomationGraph, rootId: string, newId: () => string): TaskExecutionSpec_Group[] {
  const layers = planLayers(graph, rootId);
  const stepIds = new Map<string, string>();
  for (const node of layers.flat()) stepIds.set(node.id, newId());
  return layers.map((layer) =>
    create(TaskExecutionSpec_GroupSchema, {
      steps: layer.map((node) => ({
        id: stepIds.get(node.id)!,
        label: node.label,
        dependsOn: node.dependsOn.filter((d) => stepIds.has(d)).map((d) => stepIds.get(d)!),
        step:
          node.kind === "service"
            ? { case: "serviceId" as const, value: node.id }
            : { case: "task" as const, value: { id: node.id, ...(node.spec ? { spec: node.spec } : {}) } },
      })),
    }),
  );
}
