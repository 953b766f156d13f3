// The two gRPC server reflection services (grpc.reflection.v1 and its predecessor v1alpha, which
// older tools still ask for), from the protos of @grpc/reflection generated into src/gen/.
// Reflection is public: tools call it before they know anything, without a token, and it reveals
// only the schema the server serves. These names are the only exemption from authentication
// (the HTTP guard and the routes both ask isReflectionService).
import type { DescService } from "@bufbuild/protobuf";
import { ServerReflection as ServerReflectionV1 } from "../gen/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1alpha } from "../gen/grpc/reflection/v1alpha/reflection_pb.js";

export { ServerReflectionV1, ServerReflectionV1alpha };

export const reflectionServices: readonly DescService[] = [ServerReflectionV1, ServerReflectionV1alpha];

const names = new Set(reflectionServices.map((s) => s.typeName));

/** Whether `typeName` is one of the reflection services, which need no authentication. */
export function isReflectionService(typeName: string): boolean {
  return names.has(typeName);
}
