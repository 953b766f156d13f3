// How a service implementation is declared: the generated service descriptor plus a factory that
// receives the HandlerDeps and returns the implemented methods. Methods left out answer
// `unimplemented`. Register the result in services/index.ts (one line).
import type { DescService } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { HandlerDeps } from "./handler-deps.js";

export interface ServiceImplementation {
  readonly service: DescService;
  create(deps: HandlerDeps): object;
}

/**
 * Declares the implementation of (some methods of) a service:
 *
 *     export const runnerService = defineService(RunnerService, (deps) => ({
 *       async getRunner(req, ctx) { ... },
 *     }));
 */
export function defineService<S extends DescService>(
  service: S,
  create: (deps: HandlerDeps) => Partial<ServiceImpl<S>>,
): ServiceImplementation {
  return { service, create };
}
