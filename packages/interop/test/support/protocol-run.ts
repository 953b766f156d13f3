// Runs the protocol matrix's steps over one protocol and records what came back: each answer as
// proto JSON (`toJson(method.output, response)`), each error as code, raw message and details.
// Values that are random by design (bearer tokens, ciphertexts with random nonces) and the server's
// own URL (a free port per server) are replaced by placeholders that keep what can be compared.
import { toJson, type DescMessage, type DescMethod, type JsonValue, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { ViolationsSchema } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { Code, ConnectError, createClient, type CallOptions } from "@connectrpc/connect";
import { adminToken, type ProtocolPeer } from "./protocol-peer.js";
import { procedureOf, ScenarioContext, type Caller, type CallStep, type Step, type WatchStep } from "./protocol-steps.js";

/** An error as a client sees it, in every protocol: the parts that must agree. */
export interface ErrorRecord {
  /** The Connect code's name in snake_case, e.g. "not_found". */
  code: string;
  rawMessage: string;
  /** Every detail: its type name and its bytes (base64). */
  details: { type: string; value: string }[];
  /** The `buf.validate.Violations` details, as proto JSON. */
  violations: JsonValue[];
}

export type Outcome =
  | { response: JsonValue }
  | { error: ErrorRecord }
  | {
      events: JsonValue[];
      /** How reading ended: at the sentinel event (success), or how it failed. */
      end: string | ErrorRecord;
      /** What a read after cancelling gave: "canceled" (success), or an event that followed the sentinel. */
      afterCancel: JsonValue;
    };

const sentinelReached = "cancelled after the sentinel event";

/** Whether a step did what it should: answered, or (a watch) saw its sentinel and nothing after it. */
export function succeeded(outcome: Outcome): boolean {
  if ("response" in outcome) return true;
  if ("error" in outcome) return false;
  return outcome.end === sentinelReached && outcome.afterCancel === "canceled";
}

export interface StepRecord {
  /** Position in the scenario ("12", nested: "40.2"), so a difference points at its step. */
  step: string;
  procedure: string;
  outcome: Outcome;
}

export function codeName(code: Code): string {
  return Code[code].replace(/(?<=[a-z])(?=[A-Z])/g, "_").toLowerCase();
}

export function errorRecord(e: unknown): ErrorRecord {
  const error = ConnectError.from(e);
  return {
    code: codeName(error.code),
    rawMessage: error.rawMessage,
    details: error.details.map((d) =>
      "desc" in d ? { type: d.desc.typeName, value: "(outgoing)" } : { type: d.type, value: Buffer.from(d.value).toString("base64") },
    ),
    violations: error.findDetails(ViolationsSchema).map((v) => toJson(ViolationsSchema, v)),
  };
}

/**
 * Fields whose values are random by design and so differ between two servers given the same
 * requests: bearer tokens (`gitpod_` + 32 random bytes) and ciphertexts (AES-GCM or X25519 sealing
 * with a random nonce / ephemeral key). Their placeholder keeps the length and the prefix, which
 * must still agree.
 */
const randomFields = new Set(["exchangeToken", "accessToken", "encryptedClientSecret", "encryptedApiKey"]);

/** Every token is one of these prefixes and 32 random bytes in base64url (43 characters), which may contain `_`. */
const tokenPrefixes = ["gitpod_envlogs_", "gitpod_logs_", "gitpod_port_", "gitpod_"];
const randomTokenChars = 43;

function placeholder(value: string): string {
  const prefix = value.length > randomTokenChars ? value.slice(0, value.length - randomTokenChars) : "";
  const kind = tokenPrefixes.includes(prefix) ? `token ${prefix}…` : "bytes";
  return `<random ${kind} ${value.length} chars>`;
}

/** The recorded JSON with the server's URL as `<server>` and random values as placeholders. */
export function normalize(json: JsonValue, serverUrl: string, key?: string): JsonValue {
  if (typeof json === "string") {
    if (key !== undefined && randomFields.has(key) && json !== "") return placeholder(json);
    return json.split(serverUrl).join("<server>");
  }
  if (Array.isArray(json)) return json.map((v) => normalize(v, serverUrl, key));
  if (json !== null && typeof json === "object") {
    return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, normalize(v, serverUrl, k)]));
  }
  return json;
}

type UnaryFn = (request: MessageInitShape<DescMessage>, options?: CallOptions) => Promise<MessageShape<DescMessage>>;
type StreamFn = (request: MessageInitShape<DescMessage>, options?: CallOptions) => AsyncIterable<MessageShape<DescMessage>>;

/** The client method of `method` on the peer's transport. */
function clientMethod<F>(peer: ProtocolPeer, method: DescMethod): F {
  const client = createClient(method.parent, peer.transport) as unknown as Record<string, F>;
  const fn = client[method.localName];
  if (!fn) throw new Error(`no client method ${method.localName} for ${procedureOf(method)}`);
  return fn;
}

export function headersOf(caller: Caller, ctx: ScenarioContext): Record<string, string> {
  if (caller === "none") return {};
  const token = caller === "admin" ? adminToken : caller(ctx);
  return { authorization: `Bearer ${token}` };
}

/** A unary call over the peer's protocol; the answer or the error. */
export async function callOnce(peer: ProtocolPeer, step: CallStep, ctx: ScenarioContext): Promise<{ response: MessageShape<DescMessage> } | { error: unknown }> {
  const fn = clientMethod<UnaryFn>(peer, step.method);
  try {
    return { response: await fn(step.request(ctx), { headers: headersOf(step.caller, ctx) }) };
  } catch (error) {
    return { error };
  }
}

/** Generous limits for a head or an event that should come within milliseconds. */
const headTimeoutMs = 5_000;
const eventTimeoutMs = 5_000;

function within<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function runWatch(peer: ProtocolPeer, step: WatchStep, ctx: ScenarioContext, path: string, records: StepRecord[]): Promise<Outcome> {
  const fn = clientMethod<StreamFn>(peer, step.method);
  const abort = new AbortController();
  let headed: () => void = () => {};
  const head = new Promise<void>((resolve) => (headed = resolve));
  const stream = fn(step.request(ctx), { signal: abort.signal, headers: headersOf(step.caller, ctx), onHeader: () => headed() });
  const events = stream[Symbol.asyncIterator]();
  // The call starts with the first read; the response head says the subscription exists.
  let next = events.next();
  // A read that fails before the head (the call failed) must not go unhandled.
  next.catch(() => undefined);
  const started = await within(Promise.race([head, next.then(() => undefined)]), headTimeoutMs).catch((e: unknown) => e);
  if (started === "timeout") {
    abort.abort();
    return { events: [], end: "no response head within 5 s", afterCancel: null };
  }
  if (started instanceof Error) return { events: [], end: errorRecord(started), afterCancel: null };
  await runSteps(peer, step.during, ctx, records, `${path}.`);
  const received: JsonValue[] = [];
  let end: string | ErrorRecord;
  for (;;) {
    const read = await within(next, eventTimeoutMs).catch((e: unknown) => ({ failed: e }));
    if (read === "timeout") {
      end = "no sentinel event within 5 s";
      break;
    }
    if ("failed" in read) {
      end = errorRecord(read.failed);
      break;
    }
    if (read.done) {
      end = "ended by the server before the sentinel event";
      break;
    }
    received.push(normalize(toJson(step.method.output, read.value), peer.server.url));
    if (step.until(read.value, ctx)) {
      end = sentinelReached;
      break;
    }
    next = events.next();
  }
  abort.abort();
  // Nothing must follow the sentinel (the clock stands still): a read after cancelling rejects as canceled.
  const afterCancel = await events.next().then(
    (read): JsonValue => (read.done ? "ended" : normalize(toJson(step.method.output, read.value), peer.server.url)),
    (e: unknown) => errorRecord(e).code,
  );
  return { events: received, end, afterCancel };
}

/** Runs steps in order; records every call's and watch's outcome. */
export async function runSteps(peer: ProtocolPeer, steps: readonly Step[], ctx: ScenarioContext, records: StepRecord[], prefix = ""): Promise<void> {
  for (const [i, step] of steps.entries()) {
    const path = `${prefix}${i}`;
    switch (step.kind) {
      case "advance":
        await peer.clock.advance(step.ms);
        break;
      case "call": {
        const result = await callOnce(peer, step, ctx);
        if ("error" in result) {
          records.push({ step: path, procedure: procedureOf(step.method), outcome: { error: errorRecord(result.error) } });
          break;
        }
        step.save?.(result.response, ctx);
        records.push({ step: path, procedure: procedureOf(step.method), outcome: { response: normalize(toJson(step.method.output, result.response), peer.server.url) } });
        break;
      }
      case "watch": {
        // Recorded before the steps it encloses, which record themselves.
        const record: StepRecord = { step: path, procedure: procedureOf(step.method), outcome: { events: [], end: "", afterCancel: null } };
        records.push(record);
        record.outcome = await runWatch(peer, step, ctx, path, records);
        break;
      }
    }
  }
}

/** The whole scenario on a peer: the records and the context (ids, tokens) it ends with. */
export async function runScenario(peer: ProtocolPeer, steps: readonly Step[]): Promise<{ records: StepRecord[]; ctx: ScenarioContext }> {
  const ctx = new ScenarioContext(peer.server.bootstrap);
  const records: StepRecord[] = [];
  await runSteps(peer, steps, ctx, records);
  return { records, ctx };
}
