// The RPC routes: every Gitpod service mounted with the shared interceptors, in this order:
// error mapping (outermost) → pre-flight errors → authentication → principal scope → validation → handler.
// Beside them, unless turned off, gRPC server reflection (reflection/) describing them: with error
// mapping and pre-flight errors only, because reflection is public (no token, no principal; its
// requests carry no validation rules) and reveals only the schema.
// Use it with any connect adapter: connectNodeAdapter({ routes: createRoutes({ deps }) }), or
// with createRequestHandler() from this package, which adds the hardening of the HTTP layer.
import type { DescService, JsonReadOptions, JsonWriteOptions } from "@bufbuild/protobuf";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import { authenticationInterceptor } from "./interceptors/authentication.js";
import { errorMappingInterceptor } from "./interceptors/error-mapping.js";
import type { HandlerDeps } from "../handler-deps.js";
import { preflightErrorInterceptor } from "./interceptors/preflight-error.js";
import { principalScopeInterceptor } from "./interceptors/principal-scope.js";
import { readMaxBytes } from "../limits.js";
import type { ServiceImplementation } from "./define-service.js";
import { gitpodServices } from "./gitpod-services.js";
import { mountReflection } from "../reflection/reflection-service.js";
import { serviceImplementations } from "../services/index.js";
import { validationInterceptor } from "./interceptors/validation.js";

export interface RoutesOptions {
  deps: HandlerDeps;
  /** The implementations to mount; defaults to services/index.ts. */
  implementations?: readonly ServiceImplementation[];
  /** Extra interceptors, run after authentication and validation (not on reflection). */
  interceptors?: Interceptor[];
  /** Mount gRPC server reflection (grpc.reflection.v1 and v1alpha) for the mounted services; default true. */
  reflection?: boolean;
}

/** The services a router built by createRoutes serves: the Gitpod services plus any implemented ones. */
export function mountedServices(implementations: readonly ServiceImplementation[]): DescService[] {
  const services = new Map(gitpodServices.map((s) => [s.typeName, s]));
  for (const i of implementations) services.set(i.service.typeName, i.service);
  return [...services.values()];
}

// Invalid UTF-8 in a JSON body is a client error, not text to repair. connect's JSON
// serialization reads `textDecoder` from its options, though the option's type does not declare it.
const strictJson = {
  textDecoder: new TextDecoder("utf-8", { fatal: true }),
} as Partial<JsonReadOptions & JsonWriteOptions>;

export function createRoutes(options: RoutesOptions): (router: ConnectRouter) => void {
  const implementations = options.implementations ?? serviceImplementations;
  const interceptors: Interceptor[] = [
    errorMappingInterceptor(),
    preflightErrorInterceptor(),
    authenticationInterceptor(options.deps.tokens),
    principalScopeInterceptor(),
    validationInterceptor(),
    ...(options.interceptors ?? []),
  ];
  const handlerOptions = { readMaxBytes, acceptCompression: [compressionGzip, compressionBrotli], jsonOptions: strictJson };
  return (router) => {
    const services = mountedServices(implementations);
    for (const service of services) {
      const impl = {};
      for (const i of implementations) {
        if (i.service.typeName === service.typeName) Object.assign(impl, i.create(options.deps));
      }
      router.service(service, impl, { ...handlerOptions, interceptors });
    }
    if (options.reflection ?? true) {
      mountReflection(router, services, { ...handlerOptions, interceptors: [errorMappingInterceptor(), preflightErrorInterceptor()] });
    }
  };
}
