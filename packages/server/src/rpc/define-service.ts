// How a service implementation is declared: the generated service descriptor plus handler groups,
// each a factory that receives the HandlerDeps and returns some of the service's methods. Every RPC
// lives in a group of its own file (services/<service>/<rpc-name>.ts); the service joins them.
// Methods no group implements answer `unimplemented`.
import type { DescService } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { HandlerDeps } from "../handler-deps.js";

/** Some methods of service S, built from the server's dependencies. */
export type HandlerGroup<S extends DescService> = (deps: HandlerDeps) => Partial<ServiceImpl<S>>;

export interface ServiceImplementation {
  readonly service: DescService;
  create(deps: HandlerDeps): object;
}

/**
 * Declares a group of handlers of `service`, typed by its descriptor:
 *
 *     export const getRunner = defineHandlers(RunnerService, (deps) => ({
 *       async getRunner(req, ctx) { ... },
 *     }));
 */
export function defineHandlers<S extends DescService>(service: S, create: HandlerGroup<S>): HandlerGroup<S> {
  void service; // only types the group
  return create;
}

/**
 * Declares the implementation of a service from its handler groups. A method implemented by two
 * groups is a programming error, reported when the routes are built.
 */
export function defineService<S extends DescService>(service: S, ...groups: HandlerGroup<S>[]): ServiceImplementation {
  return {
    service,
    create(deps) {
      const methods: Record<string, unknown> = {};
      for (const group of groups) {
        for (const [name, handler] of Object.entries(group(deps))) {
          if (name in methods) throw new Error(`${service.typeName}: method ${name} is implemented twice`);
          methods[name] = handler;
        }
      }
      return methods;
    },
  };
}
