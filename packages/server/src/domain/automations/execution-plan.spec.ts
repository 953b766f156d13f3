import { describe, expect, it } from "vitest";
import { buildPlan, DependencyCycleError, findCycle, planLayers, type AutomationGraph, type AutomationNode } from "./execution-plan.js";

const graphOf = (edges: Record<string, string[]>, services: string[] = []): AutomationGraph =>
  new Map<string, AutomationNode>([
    ...services.map((id): [string, AutomationNode] => [id, { id, kind: "service", reference: id, label: id, dependsOn: [] }]),
    ...Object.entries(edges).map(([id, dependsOn]): [string, AutomationNode] => [id, { id, kind: "task", reference: id, label: id, dependsOn }]),
  ]);

describe("planLayers", () => {
  it("puts each automation one layer after the deepest of its dependencies, and the started task last", () => {
    const graph = graphOf({ test: ["build", "lint", "db"], build: ["install", "db"], lint: ["install"], install: [], other: [] }, ["db"]);
    expect(planLayers(graph, "test").map((l) => l.map((n) => n.id))).toEqual([["install", "db"], ["build", "lint"], ["test"]]);
  });

  it("leaves out dependencies no longer in the graph", () => {
    expect(planLayers(graphOf({ a: ["gone"] }), "a").map((l) => l.map((n) => n.id))).toEqual([["a"]]);
  });

  it("throws on a cycle, naming it", () => {
    expect(() => planLayers(graphOf({ a: ["b"], b: ["c"], c: ["a"] }), "a")).toThrow(DependencyCycleError);
    try {
      planLayers(graphOf({ a: ["b"], b: ["c"], c: ["b"] }), "a");
    } catch (e) {
      expect((e as DependencyCycleError).path).toEqual(["b", "c", "b"]);
    }
  });
});

describe("findCycle", () => {
  it("finds a path back to the start, or nothing", () => {
    expect(findCycle(graphOf({ a: ["b"], b: ["a"] }), "a")).toEqual(["a", "b", "a"]);
    expect(findCycle(graphOf({ a: ["a"] }), "a")).toEqual(["a", "a"]);
    expect(findCycle(graphOf({ a: ["b", "c"], b: ["c"], c: [] }), "a")).toBeUndefined();
    expect(findCycle(graphOf({ a: ["b"], b: ["c"], c: ["b"] }), "a")).toBeUndefined(); // a cycle a is not on
  });
});

describe("buildPlan", () => {
  it("gives every step a new id and makes its depends_on the step ids of its dependencies", () => {
    let n = 0;
    const plan = buildPlan(graphOf({ t: ["s", "u"], u: [] }, ["s"]), "t", () => `id-${++n}`);
    expect(plan.map((g) => g.steps.map((s) => [s.id, s.label, s.dependsOn, s.step.case]))).toEqual([
      [
        ["id-1", "s", [], "serviceId"],
        ["id-2", "u", [], "task"],
      ],
      [["id-3", "t", ["id-1", "id-2"], "task"]],
    ]);
  });
});
