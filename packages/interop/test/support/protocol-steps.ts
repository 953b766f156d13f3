// The vocabulary of the protocol matrix's scenario: a list of steps — calls (each `{ procedure,
// request: (ctx) => init shape }`, with values of earlier answers read from and saved into the
// context), clock moves of the simulated runner, and event watches around other steps.
import type { DescMessage, DescMethodServerStreaming, DescMethodUnary, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { Bootstrap } from "@gitpod-connect/server";

/** What steps share: the bootstrap state and values saved from earlier answers (ids, tokens). */
export class ScenarioContext {
  private readonly values = new Map<string, string>();
  constructor(readonly bootstrap: Bootstrap) {}
  set(key: string, value: string | undefined): void {
    if (!value) throw new Error(`scenario: no value to save as ${key}`);
    this.values.set(key, value);
  }
  get(key: string): string {
    const value = this.values.get(key);
    if (value === undefined) throw new Error(`scenario: ${key} was never saved (a step that saves it failed or comes later)`);
    return value;
  }
}

/** Who calls: the bootstrap admin (default), no one (no Authorization header) or a token from the context. */
export type Caller = "admin" | "none" | ((ctx: ScenarioContext) => string);

/** A unary call; its answer is recorded as proto JSON. */
export interface CallStep {
  readonly kind: "call";
  readonly method: DescMethodUnary;
  readonly request: (ctx: ScenarioContext) => MessageInitShape<DescMessage>;
  readonly caller: Caller;
  readonly save?: (response: MessageShape<DescMessage>, ctx: ScenarioContext) => void;
}

/** Moves the server's manual clock: every simulated-runner step that falls due runs. */
export interface AdvanceStep {
  readonly kind: "advance";
  readonly ms: number;
}

/**
 * A server stream of events: opened, its response head awaited (the subscription exists), the
 * `during` steps run (they cause the events), the events read up to and including the one `until`
 * accepts — the last `during` step's write, a sentinel: events come in commit order, so every
 * earlier one has arrived by then — and the call cancelled. The events are recorded as proto JSON.
 */
export interface WatchStep {
  readonly kind: "watch";
  readonly method: DescMethodServerStreaming;
  readonly request: (ctx: ScenarioContext) => MessageInitShape<DescMessage>;
  readonly caller: Caller;
  readonly during: readonly Step[];
  readonly until: (event: MessageShape<DescMessage>, ctx: ScenarioContext) => boolean;
}

export type Step = CallStep | AdvanceStep | WatchStep;

export interface CallOptions<O extends DescMessage> {
  caller?: Caller;
  save?: (response: MessageShape<O>, ctx: ScenarioContext) => void;
}

/**
 * `call(method)(request, options)`: a call step. Curried so that the request's type is fixed by the
 * method before the request is checked (inferring both at once widens a oneof's `case: "…"` to string).
 */
export function call<I extends DescMessage, O extends DescMessage>(
  method: DescMethodUnary<I, O>,
): (request: (ctx: ScenarioContext) => MessageInitShape<I>, options?: CallOptions<O>) => CallStep {
  return (request, options = {}) => ({
    kind: "call",
    method,
    request,
    caller: options.caller ?? "admin",
    ...(options.save ? { save: options.save as (response: MessageShape<DescMessage>, ctx: ScenarioContext) => void } : {}),
  });
}

export function advance(ms: number): AdvanceStep {
  return { kind: "advance", ms };
}

/** `watch(method)(request, during, until, options)`: a watch step (curried as call is). */
export function watch<I extends DescMessage, O extends DescMessage>(
  method: DescMethodServerStreaming<I, O>,
): (
  request: (ctx: ScenarioContext) => MessageInitShape<I>,
  during: readonly Step[],
  until: (event: MessageShape<O>, ctx: ScenarioContext) => boolean,
  options?: { caller?: Caller },
) => WatchStep {
  return (request, during, until, options = {}) => ({
    kind: "watch",
    method,
    request,
    caller: options.caller ?? "admin",
    during,
    until: until as (event: MessageShape<DescMessage>, ctx: ScenarioContext) => boolean,
  });
}

/** `gitpod.v1.X/Method` of a method. */
export function procedureOf(method: { parent: { typeName: string }; name: string }): string {
  return `${method.parent.typeName}/${method.name}`;
}

/** Every call and watch of the steps, nested ones included. */
export function* callsOf(steps: readonly Step[]): Generator<CallStep | WatchStep> {
  for (const step of steps) {
    if (step.kind === "advance") continue;
    yield step;
    if (step.kind === "watch") yield* callsOf(step.during);
  }
}
