// One reflection stream: each ServerReflectionRequest gets one ServerReflectionResponse, as grpc-go
// answers it. A name that is not known is an error_response with NOT_FOUND inside the stream (the
// protocol's way; the stream goes on); only a request that asks nothing fails the stream.
//
// File answers carry the file asked for first, then its transitive imports, breadth first. The
// stream remembers what it sent: an import already sent is left out (the protocol allows it, and
// clients keep what they got), the file asked for is always sent.
import { create, type DescFile, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  ServerReflectionResponseSchema,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
} from "../gen/grpc/reflection/v1/reflection_pb.js";
import type { ReflectionSchema } from "./schema.js";

export interface ReflectionSession {
  /** The answer to one request of the stream; throws invalid_argument for a request that asks nothing. */
  answer(request: ServerReflectionRequest): ServerReflectionResponse;
}

export function createReflectionSession(schema: ReflectionSchema): ReflectionSession {
  const sent = new Set<string>();

  /** The file and its transitive imports, each file this stream has not seen yet. */
  function withDependencies(file: DescFile): Uint8Array[] {
    const out: Uint8Array[] = [];
    const queue = [file];
    for (let f = queue.shift(); f; f = queue.shift()) {
      if (out.length === 0 || !sent.has(f.proto.name)) {
        sent.add(f.proto.name);
        out.push(schema.encode(f));
      }
      queue.push(...f.dependencies);
    }
    return out;
  }

  return {
    answer(request) {
      const respond = (messageResponse: MessageInitShape<typeof ServerReflectionResponseSchema>["messageResponse"]) =>
        create(ServerReflectionResponseSchema, { validHost: request.host, originalRequest: request, messageResponse });
      const files = (file: DescFile | undefined, what: string) =>
        file
          ? respond({ case: "fileDescriptorResponse", value: { fileDescriptorProto: withDependencies(file) } })
          : notFound(what);
      const notFound = (message: string) =>
        respond({ case: "errorResponse", value: { errorCode: Code.NotFound, errorMessage: message } });

      const req = request.messageRequest;
      switch (req.case) {
        case "listServices":
          return respond({
            case: "listServicesResponse",
            value: { service: schema.serviceNames.map((name) => ({ name })) },
          });
        case "fileByFilename":
          return files(schema.file(req.value), `file not found: ${req.value}`);
        case "fileContainingSymbol":
          return files(schema.fileContainingSymbol(req.value), `symbol not found: ${req.value}`);
        case "fileContainingExtension": {
          const { containingType, extensionNumber } = req.value;
          return files(
            schema.fileContainingExtension(containingType, extensionNumber),
            `extension not found: ${extensionNumber} of ${containingType}`,
          );
        }
        case "allExtensionNumbersOfType": {
          const numbers = schema.extensionNumbers(req.value);
          if (!numbers) return notFound(`message type not found: ${req.value}`);
          return respond({
            case: "allExtensionNumbersResponse",
            value: { baseTypeName: req.value, extensionNumber: numbers },
          });
        }
        case undefined:
          throw new ConnectError("the reflection request asks nothing: set one field of message_request", Code.InvalidArgument);
      }
    },
  };
}
