// gRPC server reflection (grpc.reflection.v1 and v1alpha) for the services the server mounts, so
// that buf curl, grpcurl, Postman and the like need no schema. Mounted by createRoutes (on by
// default: it reveals only the public schema), public (no token), its streamed requests guarded
// by stream-guard.ts.
export { isReflectionService, reflectionServices, ServerReflectionV1, ServerReflectionV1alpha } from "./services.js";
export { createReflectionSchema, type ReflectionSchema } from "./schema.js";
export { createReflectionSession, type ReflectionSession } from "./session.js";
export { mountReflection, reflectionV1, reflectionV1alpha, type ReflectionHandlerOptions } from "./reflection-service.js";
export { guardRequestStream, hasRequestStream, type StreamGuardInput, type StreamGuardResult, type StreamSource } from "./stream-guard.js";
