// Test helpers: a reflection stream driven one request at a time (the next request is sent only
// once the last one was answered, as buf curl and grpcurl do), over either reflection version.
import { create, createFileRegistry, fromBinary, toBinary, type FileRegistry, type MessageInitShape } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import * as v1 from "../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../gen/grpc/reflection/v1alpha/reflection_pb.js";

export type ReflectionVersion = "v1" | "v1alpha";
export type ReflectionProtocol = "grpc" | "connect-proto" | "connect-json";

export const reflectionVersions: readonly ReflectionVersion[] = ["v1", "v1alpha"];
export const reflectionProtocols: readonly ReflectionProtocol[] = ["grpc", "connect-proto", "connect-json"];

/** A transport for reflection: gRPC, or Connect on HTTP/2 (a bidi stream needs it), binary or JSON. */
export function reflectionTransport(baseUrl: string, protocol: ReflectionProtocol): Transport {
  switch (protocol) {
    case "grpc":
      return createGrpcTransport({ baseUrl });
    case "connect-proto":
      return createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true });
    case "connect-json":
      return createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: false });
  }
}

export type ReflectionRequestInit = MessageInitShape<typeof v1.ServerReflectionRequestSchema>;

export interface ReflectionStream {
  /** Sends one request and waits for its answer (always as v1 messages, converted for v1alpha). */
  ask(request: ReflectionRequestInit): Promise<v1.ServerReflectionResponse>;
  /** Ends the request stream; resolves once the server ended its side. */
  close(): Promise<void>;
}

/** Opens one ServerReflectionInfo stream. */
export function openReflectionStream(transport: Transport, version: ReflectionVersion): ReflectionStream {
  const requests = requestQueue<Uint8Array>();
  const responses: AsyncIterator<Uint8Array> =
    version === "v1"
      ? map(
          createClient(v1.ServerReflection, transport).serverReflectionInfo(
            map(requests.iterable, (b) => fromBinary(v1.ServerReflectionRequestSchema, b)),
          ),
          (m) => toBinary(v1.ServerReflectionResponseSchema, m),
        )[Symbol.asyncIterator]()
      : map(
          createClient(v1alpha.ServerReflection, transport).serverReflectionInfo(
            map(requests.iterable, (b) => fromBinary(v1alpha.ServerReflectionRequestSchema, b)),
          ),
          (m) => toBinary(v1alpha.ServerReflectionResponseSchema, m),
        )[Symbol.asyncIterator]();
  return {
    async ask(init) {
      requests.push(toBinary(v1.ServerReflectionRequestSchema, create(v1.ServerReflectionRequestSchema, init)));
      const next = await responses.next();
      if (next.done) throw new Error("the reflection stream ended without an answer");
      return fromBinary(v1.ServerReflectionResponseSchema, next.value);
    },
    async close() {
      requests.close();
      const next = await responses.next();
      if (!next.done) throw new Error("an answer nobody asked for");
    },
  };
}

/** The FileDescriptorProtos of a file answer (throws for any other answer). */
export function filesOf(response: v1.ServerReflectionResponse): FileDescriptorProto[] {
  if (response.messageResponse.case !== "fileDescriptorResponse") {
    throw new Error(`expected files, got ${response.messageResponse.case}: ${JSON.stringify(response.messageResponse.value)}`);
  }
  return response.messageResponse.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b));
}

/**
 * A registry of the given files, as a client of reflection builds it: each file once, every import
 * there (createFileRegistry wants a file set in import order, so they are sorted first).
 */
export function registryOf(files: readonly FileDescriptorProto[]): FileRegistry {
  const byName = new Map(files.map((f) => [f.name, f]));
  const sorted: FileDescriptorProto[] = [];
  const visit = (f: FileDescriptorProto) => {
    if (sorted.includes(f)) return;
    for (const d of f.dependency) {
      const dep = byName.get(d);
      if (!dep) throw new Error(`${f.name} imports ${d}, which reflection did not send`);
      visit(dep);
    }
    sorted.push(f);
  };
  for (const f of byName.values()) visit(f);
  return createFileRegistry(create(FileDescriptorSetSchema, { file: sorted }));
}

function requestQueue<T>() {
  const pending: T[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  return {
    iterable: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          while (pending.length > 0) yield pending.shift()!;
          if (closed) return;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      },
    } satisfies AsyncIterable<T>,
    push(item: T) {
      pending.push(item);
      wake?.();
    },
    close() {
      closed = true;
      wake?.();
    },
  };
}

async function* map<A, B>(source: AsyncIterable<A>, f: (a: A) => B): AsyncIterable<B> {
  for await (const a of source) yield f(a);
}
