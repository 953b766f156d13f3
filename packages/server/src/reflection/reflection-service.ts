// The reflection services as connect-es implementations, and how they are mounted. v1alpha is
// answered by the v1 code: its messages are the v1 messages under another package (same fields,
// same numbers), so a request is re-read as v1 and the answer re-read as v1alpha.
import { fromBinary, toBinary, type DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, ServiceImpl } from "@connectrpc/connect";
import * as v1 from "../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { createReflectionSchema, type ReflectionSchema } from "./schema.js";
import { reflectionServices } from "./services.js";
import { createReflectionSession } from "./session.js";

/** What router.service() takes besides the service and its implementation. */
export type ReflectionHandlerOptions = Parameters<ConnectRouter["service"]>[2];

export function reflectionV1(schema: ReflectionSchema): ServiceImpl<typeof v1.ServerReflection> {
  return {
    async *serverReflectionInfo(requests) {
      const session = createReflectionSession(schema);
      for await (const request of requests) yield session.answer(request);
    },
  };
}

export function reflectionV1alpha(schema: ReflectionSchema): ServiceImpl<typeof v1alpha.ServerReflection> {
  return {
    async *serverReflectionInfo(requests) {
      const session = createReflectionSession(schema);
      for await (const request of requests) {
        const answer = session.answer(fromBinary(v1.ServerReflectionRequestSchema, toBinary(v1alpha.ServerReflectionRequestSchema, request)));
        yield fromBinary(v1alpha.ServerReflectionResponseSchema, toBinary(v1.ServerReflectionResponseSchema, answer));
      }
    },
  };
}

/**
 * Mounts both reflection services on `router`, describing `services` and themselves. `options`
 * are the handler options of the other services minus authentication (reflection is public,
 * see services.ts).
 */
export function mountReflection(router: ConnectRouter, services: readonly DescService[], options: ReflectionHandlerOptions): void {
  const schema = lazySchema(() => createReflectionSchema([...services, ...reflectionServices]));
  router.service(v1.ServerReflection, reflectionV1(schema), options);
  router.service(v1alpha.ServerReflection, reflectionV1alpha(schema), options);
}

/**
 * The schema, indexed on the first reflection request instead of at start-up: indexing every file
 * and symbol takes milliseconds that a server which is never asked need not spend before its first
 * call (issue 14), and every later request reuses the index.
 */
function lazySchema(build: () => ReflectionSchema): ReflectionSchema {
  let built: ReflectionSchema | undefined;
  const schema = () => (built ??= build());
  return {
    get serviceNames() {
      return schema().serviceNames;
    },
    file: (name) => schema().file(name),
    fileContainingSymbol: (symbol) => schema().fileContainingSymbol(symbol),
    fileContainingExtension: (extendee, number) => schema().fileContainingExtension(extendee, number),
    extensionNumbers: (typeName) => schema().extensionNumbers(typeName),
    encode: (file) => schema().encode(file),
  };
}
