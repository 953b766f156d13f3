// Which methods of the official SDK's resources the tests cover, and which of them they called
// successfully: the runner resources (`client.runners`, for official-sdk-runners.spec.ts) and the
// environment resources (`client.environments` with its classes and automations, for
// official-sdk-environments.spec.ts).
//
// The methods of a resource are enumerated twice, independently: from the SDK's resource objects at
// run time (walking `client.<resource>` and its sub-resources) and from its declaration files
// (resources/<resource>/**/*.d.ts). A test compares the two, and another fails when a method was
// never called with success, so an SDK upgrade that adds a method fails the suite until it is tested.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Gitpod } from "@gitpod/sdk";
import { APIResource } from "@gitpod/sdk/resource";

/** The top-level SDK resources whose methods are recorded and enumerated. */
export const coveredResources = ["runners", "environments"] as const;
export type CoveredResource = (typeof coveredResources)[number];

/** The class each top-level resource is declared as (`export declare class Runners extends APIResource`). */
const rootClasses: Record<CoveredResource, string> = { runners: "Runners", environments: "Environments" };

/** "runners.policies.create" etc.: SDK methods called through a recording client, with or without success. */
export const calledMethods = new Set<string>();
/** The subset of calledMethods whose promise resolved at least once. */
export const succeededMethods = new Set<string>();

/** The methods of one resource object (own prototype chain up to APIResource), not its sub-resources. */
function ownMethods(resource: APIResource): string[] {
  const names: string[] = [];
  for (let proto = Object.getPrototypeOf(resource) as object | null; proto && proto !== APIResource.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name !== "constructor" && typeof (resource as unknown as Record<string, unknown>)[name] === "function") names.push(name);
    }
  }
  return names;
}

function subResources(resource: object): [string, APIResource][] {
  return Object.entries(resource).filter((e): e is [string, APIResource] => e[1] instanceof APIResource);
}

/**
 * Every method of `client.<resource>` and its sub-resources, as dotted paths
 * ("runners.configurations.schema.retrieve", "environments.automations.tasks.executions.stop").
 */
export function sdkMethodsAtRunTime(client: Gitpod, resource: CoveredResource): string[] {
  const walk = (r: APIResource, path: string): string[] => [
    ...ownMethods(r).map((m) => `${path}.${m}`),
    ...subResources(r).flatMap(([key, sub]) => walk(sub, `${path}.${key}`)),
  ];
  return walk(client[resource], resource).sort();
}

/**
 * The same list read from the SDK's declaration files under resources/<resource>/: each
 * `declare class X extends APIResource` gives its methods and its sub-resource properties
 * (`name: Module.Class`), starting at the resource's class (`Runners`, `Environments`).
 */
export function sdkMethodsFromDeclarations(resource: CoveredResource): string[] {
  const root = join(dirname(createRequire(import.meta.url).resolve("@gitpod/sdk")), "resources", resource);
  const classes = new Map<string, { methods: string[]; children: [string, string][] }>();
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".d.ts"));
  for (const file of files) {
    const text = readFileSync(join(root, file), "utf8");
    for (const m of text.matchAll(/export declare class (\w+) extends APIResource \{([\s\S]*?)\n\}/g)) {
      const body = m[2]!;
      const methods = [...body.matchAll(/^ {4}(\w+)\(/gm)].map((x) => x[1]!);
      const children = [...body.matchAll(/^ {4}(\w+): \w+\.(\w+);/gm)].map((x): [string, string] => [x[1]!, x[2]!]);
      if (classes.has(m[1]!)) throw new Error(`class ${m[1]} is declared twice under ${root}`);
      classes.set(m[1]!, { methods, children });
    }
  }
  const walk = (className: string, path: string): string[] => {
    const c = classes.get(className);
    if (!c) throw new Error(`no declaration of class ${className} under ${root}`);
    return [...c.methods.map((m) => `${path}.${m}`), ...c.children.flatMap(([key, cls]) => walk(cls, `${path}.${key}`))];
  };
  return walk(rootClasses[resource], resource).sort();
}

/** Every method of `client.runners` and its sub-resources ("runners.configurations.schema.retrieve"). */
export const runnerMethodsAtRunTime = (client: Gitpod): string[] => sdkMethodsAtRunTime(client, "runners");

/** The runner methods read from the declaration files under resources/runners/. */
export const runnerMethodsFromDeclarations = (): string[] => sdkMethodsFromDeclarations("runners");

/**
 * Wraps an SDK client so that every method call below `client.runners` and `client.environments` is
 * recorded in calledMethods, and in succeededMethods once its promise resolves. The call itself is
 * unchanged: the SDK's own promise (an APIPromise or an auto-paginating PagePromise) is returned as
 * it is.
 */
export function recordSdkCalls(client: Gitpod): Gitpod {
  const roots: readonly string[] = coveredResources;
  const wrap = <T extends object>(target: T, path: string): T =>
    new Proxy(target, {
      get(t, prop, receiver) {
        const value: unknown = Reflect.get(t, prop, receiver);
        if (typeof prop !== "string") return value;
        const here = path === "" ? prop : `${path}.${prop}`;
        if (value instanceof APIResource && (path !== "" || roots.includes(prop))) return wrap(value, here);
        if (path === "" || typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calledMethods.add(here);
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(t, args);
          if (result instanceof Promise) result.then(() => succeededMethods.add(here), () => undefined);
          return result;
        };
      },
    });
  return wrap(client, "");
}
