// The RPC probe: calls every method of a service over a real socket and reports how each call
// ended. A call that does not end in `unimplemented` was answered by a real handler.
//
// The request is the method's default (empty) message, with just enough filled in to pass its
// buf.validate rules: the validation interceptor runs before the handler, also before the stub
// connect puts in for a method without a handler, so an empty request that breaks a rule (most
// have a required UUID) would answer invalid_argument whether a handler exists or not.
import { create, type DescField, type DescMessage, type DescMethod, type DescService, ScalarType, type Message } from "@bufbuild/protobuf";
import { pathToString, type Path } from "@bufbuild/protobuf/reflect";
import { createValidator } from "@bufbuild/protovalidate";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { testTokens, transport, type TestServer } from "./test-server.js";

export interface ProbeResult {
  /** e.g. "GetRunner" */
  method: string;
  /** "ok", or the code the call failed with. */
  outcome: "ok" | keyof typeof Code;
  message?: string;
}

const validator = createValidator();

/** Values tried, in order, for a field that breaks a rule. */
const probeUuid = "ffffffff-ffff-4fff-bfff-fffffffffff0";
const stringCandidates = [probeUuid, "https://github.com/gitpod-io/gitpod", "github.com", "probe"];
const numberCandidates = [1, 10, 100];
const int64Types = new Set([ScalarType.INT64, ScalarType.UINT64, ScalarType.SINT64, ScalarType.FIXED64, ScalarType.SFIXED64]);

type Fields = Record<string, unknown>;
type Element = Pick<DescField, "fieldKind"> & { scalar?: ScalarType | undefined; enum?: DescField["enum"]; message?: DescMessage | undefined };

function candidatesOf(e: Element): unknown[] {
  if (e.message) return [create(e.message)];
  if (e.enum) return e.enum.values.filter((v) => v.number !== 0).map((v) => v.number);
  switch (e.scalar) {
    case ScalarType.STRING:
      return stringCandidates;
    case ScalarType.BOOL:
      return [true];
    case ScalarType.BYTES:
      return [new Uint8Array([1])];
    case undefined:
      return [];
    default:
      return int64Types.has(e.scalar) ? numberCandidates.map(BigInt) : numberCandidates;
  }
}

function candidatesFor(field: DescField): unknown[] {
  switch (field.fieldKind) {
    case "scalar":
      return candidatesOf({ fieldKind: "scalar", scalar: field.scalar });
    case "enum":
      return candidatesOf({ fieldKind: "enum", enum: field.enum });
    case "message":
      return candidatesOf({ fieldKind: "message", message: field.message });
    case "list": {
      const element: Element =
        field.listKind === "message"
          ? { fieldKind: "message", message: field.message }
          : field.listKind === "enum"
            ? { fieldKind: "enum", enum: field.enum }
            : { fieldKind: "scalar", scalar: field.scalar };
      return candidatesOf(element).map((v) => [v]);
    }
    case "map":
      return [];
  }
}

function getField(message: Fields, field: DescField): unknown {
  if (field.oneof) {
    const o = message[field.oneof.localName] as { case?: string; value?: unknown } | undefined;
    return o?.case === field.localName ? o.value : undefined;
  }
  return message[field.localName];
}

function setField(message: Fields, field: DescField, value: unknown): void {
  if (field.oneof) message[field.oneof.localName] = { case: field.localName, value };
  else message[field.localName] = value;
}

/** The message that holds the last element of `path` (sub-messages created on the way). */
function parentOf(root: Message, path: Path): Fields {
  let message = root as unknown as Fields;
  for (const element of path.slice(0, -1)) {
    if (element.kind !== "field" || element.fieldKind !== "message") throw new Error(`cannot fill ${pathToString(path)}`);
    let sub = getField(message, element) as Fields | undefined;
    if (!sub) {
      sub = create(element.message);
      setField(message, element, sub);
    }
    message = sub;
  }
  return message;
}

function violatedPaths(schema: DescMessage, message: Message): string[] {
  const result = validator.validate(schema, message);
  if (result.kind === "error") throw result.error;
  return result.kind === "invalid" ? result.violations.map((v) => pathToString(v.field)) : [];
}

/**
 * The default message of `schema`, with the fields its buf.validate rules require filled in with
 * plausible values (a UUID, a URL, a host name, …). Throws if no value it knows satisfies a rule.
 */
export function probeRequest(schema: DescMessage): Message {
  const message = create(schema);
  for (let round = 0; round < 50; round++) {
    const result = validator.validate(schema, message);
    if (result.kind === "valid") return message;
    if (result.kind === "error") throw result.error;
    const violation = result.violations[0]!;
    const path = violation.field;
    const where = pathToString(path);
    const last = path[path.length - 1];
    const parent = parentOf(message, path);
    const fields: DescField[] =
      last?.kind === "field" ? [last] : last?.kind === "oneof" ? last.fields : [];
    let fixed = false;
    for (const field of fields) {
      const before = getField(parent, field);
      for (const candidate of candidatesFor(field)) {
        setField(parent, field, candidate);
        if (!violatedPaths(schema, message).includes(where)) {
          fixed = true;
          break;
        }
      }
      if (fixed) break;
      setField(parent, field, before);
    }
    if (!fixed) throw new Error(`${schema.typeName}: no probe value satisfies "${where}: ${violation.message}"`);
  }
  throw new Error(`${schema.typeName}: no valid probe request after 50 fields`);
}

/** Calls `method` once with its probe request; how the call ended. */
async function probeMethod(server: TestServer, service: DescService, method: DescMethod, token: string): Promise<ProbeResult> {
  const client = createClient(service, transport(server.url, "connect-json", token)) as unknown as Record<
    string,
    (req: Message, options: { timeoutMs: number }) => Promise<unknown> | AsyncIterable<unknown>
  >;
  const request = probeRequest(method.input);
  const call = client[method.localName]!;
  try {
    switch (method.methodKind) {
      case "unary":
        await call(request, { timeoutMs: 10_000 });
        break;
      case "server_streaming":
        // A stream may rightly stay open with nothing to send (WatchEvents): a handler holding it
        // open until the deadline answered too. Without a handler the answer is immediate.
        for await (const _ of call(request, { timeoutMs: 300 }) as AsyncIterable<unknown>) break;
        break;
      default:
        throw new Error(`${service.typeName}.${method.name}: the probe calls unary and server-streaming methods only`);
    }
    return { method: method.name, outcome: "ok" };
  } catch (e) {
    if (!(e instanceof ConnectError)) throw e;
    return { method: method.name, outcome: Code[e.code] as keyof typeof Code, message: e.rawMessage };
  }
}

/**
 * Calls every method of `service` on `server` (as the bootstrap admin unless another token is
 * given) with its probe request, one after the other; how each call ended.
 */
export async function probeService(server: TestServer, service: DescService, token: string = testTokens.admin): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const method of service.methods) results.push(await probeMethod(server, service, method, token));
  return results;
}
