// The lower level: any RPC of the schema by its name, with a message (or its init shape) or with
// JSON, through the same transport and interceptors as the high level. A literal procedure name
// is typed; any other string resolves at run time through the schema registry.
import {
  create,
  fromJson,
  toJson,
  type DescMessage,
  type DescMethod,
  type DescMethodServerStreaming,
  type DescMethodUnary,
  type JsonValue,
  type Message,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type CallOptions, type Transport } from "@connectrpc/connect";
import { toCallOptions, type GitpodCallOptions } from "../behaviour/call-options.js";
import { paginate, type Paginated } from "../high-level/paginate.js";
import { closableStream } from "../transport/closable-stream.js";
import { findMethod, procedureOf, schemaRegistry } from "./schema-registry.js";
import type { Procedures, ServerStreamingProcedure, UnaryProcedure } from "./procedures.js";

type In<P extends keyof Procedures> = Procedures[P] extends { input: infer I extends DescMessage } ? I : never;
type Out<P extends keyof Procedures> = Procedures[P] extends { output: infer O extends DescMessage } ? O : never;

/** The item type of a list response: its (one) repeated message field's element. */
type ItemOf<T> = { [K in keyof T]-?: T[K] extends readonly (infer I extends Message)[] ? I : never }[keyof T];

type UnaryFn = (request: Message, options?: CallOptions) => Promise<Message>;
type StreamFn = (request: Message, options?: CallOptions) => AsyncIterable<Message>;

interface PageShape {
  pagination?: { token?: string; nextToken?: string };
}

export class RpcByName {
  private readonly clients = new Map<string, Record<string, UnaryFn | StreamFn>>();

  constructor(private readonly transport: Transport) {}

  /** The schema's descriptor of a procedure; throws UnknownProcedureError for a name it lacks. */
  method(procedure: string): DescMethod {
    return findMethod(procedure);
  }

  /** Calls a unary RPC with a message (or its init shape); resolves with the response message. */
  call<P extends UnaryProcedure>(procedure: P, request: MessageInitShape<In<P>>, options?: GitpodCallOptions): Promise<MessageShape<Out<P>>>;
  call(procedure: string, request: Record<string, unknown>, options?: GitpodCallOptions): Promise<Message>;
  async call(procedure: string, request: object, options?: GitpodCallOptions): Promise<Message> {
    const method = this.unary(procedure);
    return this.fn<UnaryFn>(method)(create(method.input, request as MessageInitShape<DescMessage>), toCallOptions(options));
  }

  /** Calls a unary RPC with a JSON request (proto3 JSON, as the HTTP API takes); resolves with the JSON response. */
  async callJson(procedure: string, request: JsonValue, options?: GitpodCallOptions): Promise<JsonValue> {
    const method = this.unary(procedure);
    const response = await this.fn<UnaryFn>(method)(jsonRequest(method, request), toCallOptions(options));
    return toJson(method.output, response, { registry: schemaRegistry });
  }

  /** A list RPC across all its pages (see Paginated), with message items. */
  paginate<P extends UnaryProcedure>(
    procedure: P,
    request?: MessageInitShape<In<P>>,
    options?: GitpodCallOptions,
  ): Paginated<ItemOf<MessageShape<Out<P>>>, MessageShape<Out<P>>>;
  paginate(procedure: string, request?: Record<string, unknown>, options?: GitpodCallOptions): Paginated<Message, Message>;
  paginate(procedure: string, request: object = {}, options?: GitpodCallOptions): Paginated<Message, Message> {
    const method = this.unary(procedure);
    const items = itemsField(method);
    const call = this.fn<UnaryFn>(method);
    const first = create(method.input, request as MessageInitShape<DescMessage>) as Message & PageShape;
    return paginate(
      procedureOf(method),
      first,
      (req) => call(create(method.input, req as unknown as MessageInitShape<DescMessage>), toCallOptions(options)),
      (page) => (page as unknown as Record<string, Message[]>)[items] ?? [],
      (page) => (page as Message & PageShape).pagination?.nextToken ?? "",
    );
  }

  /** A list RPC across all its pages with JSON in and out: items and pages are JSON. */
  paginateJson(procedure: string, request: JsonValue = {}, options?: GitpodCallOptions): Paginated<JsonValue, JsonValue> {
    const method = this.unary(procedure);
    const items = itemsField(method);
    const call = this.fn<UnaryFn>(method);
    const first = jsonRequest(method, request) as Message & PageShape;
    const pages = paginate(
      procedureOf(method),
      first,
      (req) => call(create(method.input, req as unknown as MessageInitShape<DescMessage>), toCallOptions(options)),
      (page) => (page as unknown as Record<string, Message[]>)[items] ?? [],
      (page) => (page as Message & PageShape).pagination?.nextToken ?? "",
    );
    const itemType = method.output.fields.find((f) => f.localName === items)!.message!;
    return {
      async *[Symbol.asyncIterator]() {
        for await (const item of pages) yield toJson(itemType, item, { registry: schemaRegistry });
      },
      async *pages() {
        for await (const page of pages.pages()) yield toJson(method.output, page, { registry: schemaRegistry });
      },
      async toArray() {
        return (await pages.toArray()).map((item) => toJson(itemType, item, { registry: schemaRegistry }));
      },
    };
  }

  /** Opens a server stream (WatchEvents) with a message request. */
  stream<P extends ServerStreamingProcedure>(procedure: P, request: MessageInitShape<In<P>>, options?: GitpodCallOptions): AsyncIterable<MessageShape<Out<P>>>;
  stream(procedure: string, request: Record<string, unknown>, options?: GitpodCallOptions): AsyncIterable<Message>;
  stream(procedure: string, request: object, options?: GitpodCallOptions): AsyncIterable<Message> {
    const method = this.streaming(procedure);
    const message = create(method.input, request as MessageInitShape<DescMessage>);
    return closableStream((o) => this.fn<StreamFn>(method)(message, o), toCallOptions(options));
  }

  /** Opens a server stream with a JSON request; yields JSON. */
  async *streamJson(procedure: string, request: JsonValue, options?: GitpodCallOptions): AsyncIterable<JsonValue> {
    const method = this.streaming(procedure);
    const message = jsonRequest(method, request);
    // Leaving this generator returns the inner stream, which cancels the request.
    for await (const response of closableStream((o) => this.fn<StreamFn>(method)(message, o), toCallOptions(options))) {
      yield toJson(method.output, response, { registry: schemaRegistry });
    }
  }

  private unary(procedure: string): DescMethodUnary {
    const method = findMethod(procedure);
    if (method.methodKind !== "unary") throw new TypeError(`${procedureOf(method)} is a ${method.methodKind.replace("_", " ")} RPC: use stream()`);
    return method as DescMethodUnary;
  }

  private streaming(procedure: string): DescMethodServerStreaming {
    const method = findMethod(procedure);
    if (method.methodKind !== "server_streaming") throw new TypeError(`${procedureOf(method)} is a ${method.methodKind.replace("_", " ")} RPC: use call()`);
    return method as DescMethodServerStreaming;
  }

  private fn<F>(method: DescMethod): F {
    let client = this.clients.get(method.parent.typeName);
    if (!client) {
      client = createClient(method.parent, this.transport);
      this.clients.set(method.parent.typeName, client);
    }
    return client[method.localName] as F;
  }
}

/** A JSON request as the method's input message; JSON that does not fit is the caller's error. */
function jsonRequest(method: DescMethod, request: JsonValue): Message {
  try {
    return fromJson(method.input, request, { registry: schemaRegistry });
  } catch (e) {
    throw new ConnectError(`${procedureOf(method)}: the request is no ${method.input.typeName}: ${(e as Error).message}`, Code.InvalidArgument);
  }
}

/** The repeated message field of a list response: the items of a page. */
function itemsField(method: DescMethod): string {
  const paged =
    method.input.fields.some((f) => f.localName === "pagination" && f.message?.typeName === "gitpod.v1.PaginationRequest") &&
    method.output.fields.some((f) => f.localName === "pagination" && f.message?.typeName === "gitpod.v1.PaginationResponse");
  const lists = method.output.fields.filter((f) => f.fieldKind === "list" && f.listKind === "message");
  if (!paged || lists.length !== 1) throw new TypeError(`${procedureOf(method)} is not a paginated list RPC`);
  return lists[0]!.localName;
}
