// @grpc/grpc-js 1.14.7 with @grpc/proto-loader 0.8.1 as a peer: a gRPC client built from the .proto
// files alone, as grpc-js users write one — protoLoader.loadSync on proto/gitpod/v1/*.proto and
// grpc.loadPackageDefinition, dynamic stubs per service. Nothing of our generated TypeScript is
// used, not even to decode error details: grpc-status-details-bin is read with a small wire reader.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { protoDir, protovalidateDir, requireProtovalidate } from "./peer-server.js";

/**
 * The loader options: field names as in the .proto files (keepCase: snake_case, what the protos
 * and the Python peer use, unlike the camelCase of proto3 JSON), 64-bit integers as decimal strings,
 * enums by name, every field present with its default, and each oneof's set member named in a
 * virtual field of the oneof's name.
 */
export const loaderOptions: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [protoDir, protovalidateDir],
};

/** The generic client constructors of our six services. */
export interface GitpodServices {
  RunnerService: grpc.ServiceClientConstructor;
  RunnerConfigurationService: grpc.ServiceClientConstructor;
  EnvironmentService: grpc.ServiceClientConstructor;
  EnvironmentAutomationService: grpc.ServiceClientConstructor;
  EventService: grpc.ServiceClientConstructor;
  IdentityService: grpc.ServiceClientConstructor;
}

/** Loads proto/gitpod/v1/*.proto (they import buf/validate/validate.proto and Google's well-known types). */
export function loadGitpod(): { services: GitpodServices; files: string[]; definition: protoLoader.PackageDefinition } {
  requireProtovalidate();
  const files = readdirSync(join(protoDir, "gitpod", "v1"))
    .filter((f) => f.endsWith(".proto"))
    .map((f) => `gitpod/v1/${f}`);
  const definition = protoLoader.loadSync(files, loaderOptions);
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { gitpod?: { v1?: Partial<GitpodServices> } };
  const v1 = loaded.gitpod?.v1;
  for (const name of ["RunnerService", "RunnerConfigurationService", "EnvironmentService", "EnvironmentAutomationService", "EventService", "IdentityService"] as const) {
    if (typeof v1?.[name] !== "function") throw new Error(`gitpod.v1.${name} is not in the package definition proto-loader made of ${files.join(", ")}`);
  }
  return { services: v1 as GitpodServices, files, definition };
}

/** What proto-loader decodes a message into (with the options above). */
export type Message = Record<string, unknown>;

type UnaryStub = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<Message>) => grpc.ClientUnaryCall;
type StreamStub = (request: unknown, metadata: grpc.Metadata, options?: grpc.CallOptions) => grpc.ClientReadableStream<Message>;

/** Metadata with the bearer token, as gRPC clients send it (`authorization: Bearer …`). */
export function bearer(token: string | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (token !== undefined) metadata.set("authorization", `Bearer ${token}`);
  return metadata;
}

/** How a unary call ended: the response, or the gRPC error. */
export type UnaryResult = { ok: true; value: Message } | { ok: false; error: grpc.ServiceError };

/** Calls a unary method by its name in the .proto ("CreateRunner") through the dynamic stub. */
export function unary(client: grpc.Client, method: string, request: unknown, metadata: grpc.Metadata): Promise<UnaryResult> {
  const stub = (client as unknown as Record<string, UnaryStub | undefined>)[method];
  if (typeof stub !== "function") throw new Error(`the client has no method ${method}`);
  return new Promise((resolve) => {
    stub.call(client, request, metadata, { deadline: Date.now() + 10_000 }, (error, value) =>
      resolve(error ? { ok: false, error } : { ok: true, value: value ?? {} }),
    );
  });
}

/** A unary call that must succeed. */
export async function ok(client: grpc.Client, method: string, request: unknown, metadata: grpc.Metadata): Promise<Message> {
  const result = await unary(client, method, request, metadata);
  if (!result.ok) throw new Error(`${method} failed: ${grpc.status[result.error.code]} ${result.error.details}`);
  return result.value;
}

/** A unary call that must fail. */
export async function fails(client: grpc.Client, method: string, request: unknown, metadata: grpc.Metadata): Promise<grpc.ServiceError> {
  const result = await unary(client, method, request, metadata);
  if (result.ok) throw new Error(`${method} succeeded: ${JSON.stringify(result.value)}`);
  return result.error;
}

/** Starts a server-streaming call by its method name. */
export function serverStream(client: grpc.Client, method: string, request: unknown, metadata: grpc.Metadata): grpc.ClientReadableStream<Message> {
  const stub = (client as unknown as Record<string, StreamStub | undefined>)[method];
  if (typeof stub !== "function") throw new Error(`the client has no method ${method}`);
  return stub.call(client, request, metadata);
}

// --- grpc-status-details-bin: google.rpc.Status with buf.validate.Violations, read off the wire ---

type Field = { number: number; varint?: bigint; bytes?: Uint8Array };

/** The fields of one protobuf message (varint and length-delimited only; others are skipped). */
function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (pos >= buf.length) throw new Error("truncated varint");
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const number = key >>> 3;
    switch (key & 7) {
      case 0:
        out.push({ number, varint: varint() });
        break;
      case 1:
        pos += 8;
        break;
      case 2: {
        const length = Number(varint());
        out.push({ number, bytes: buf.subarray(pos, pos + length) });
        pos += length;
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        throw new Error(`unsupported wire type ${key & 7}`);
    }
  }
  return out;
}

const text = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString("utf8") : "");

export interface StatusDetails {
  code: number;
  message: string;
  details: { typeUrl: string; value: Uint8Array }[];
}

/** google.rpc.Status (code = 1, message = 2, details = 3: google.protobuf.Any {type_url = 1, value = 2}). */
export function decodeStatus(bin: Uint8Array): StatusDetails {
  const status: StatusDetails = { code: 0, message: "", details: [] };
  for (const f of fields(bin)) {
    if (f.number === 1 && f.varint !== undefined) status.code = Number(f.varint);
    else if (f.number === 2) status.message = text(f.bytes);
    else if (f.number === 3 && f.bytes) {
      const any = fields(f.bytes);
      status.details.push({ typeUrl: text(any.find((a) => a.number === 1)?.bytes), value: any.find((a) => a.number === 2)?.bytes ?? new Uint8Array() });
    }
  }
  return status;
}

export interface Violation {
  /** The field path's names, joined with "." (FieldPathElement.field_name). */
  field: string;
  ruleId: string;
  message: string;
}

/** buf.validate.Violations (violations = 1: Violation {field = 5: FieldPath {elements = 1: {field_name = 2}}, rule_id = 2, message = 3}). */
export function decodeViolations(bin: Uint8Array): Violation[] {
  return fields(bin)
    .filter((f) => f.number === 1 && f.bytes)
    .map((f) => {
      const v = fields(f.bytes!);
      const path = v.find((x) => x.number === 5)?.bytes;
      const names = path
        ? fields(path)
            .filter((e) => e.number === 1 && e.bytes)
            .map((e) => text(fields(e.bytes!).find((x) => x.number === 2)?.bytes))
        : [];
      return { field: names.join("."), ruleId: text(v.find((x) => x.number === 2)?.bytes), message: text(v.find((x) => x.number === 3)?.bytes) };
    });
}

/** The error's grpc-status-details-bin trailer, decoded; undefined without one. */
export function statusDetailsOf(error: grpc.ServiceError): StatusDetails | undefined {
  const [bin] = error.metadata.get("grpc-status-details-bin");
  if (bin === undefined) return undefined;
  return decodeStatus(typeof bin === "string" ? Buffer.from(bin, "base64") : bin);
}

export { grpc };
