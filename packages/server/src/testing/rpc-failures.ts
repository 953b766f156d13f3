// Injected RPC failures, for testing how clients retry and report errors (testing controls:
// POST /testing/v1/rpc-failures): the next `count` calls of one RPC fail with a chosen code and
// message, optionally with a Retry-After. An interceptor fails them after authentication and
// validation but before the handler, so a failed call changes nothing. Failures of one RPC are
// used in the order they were added; a used-up one is gone.
import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

export interface RpcFailure {
  /** The RPC, as "package.Service/Method": "gitpod.v1.EnvironmentService/GetEnvironment". */
  procedure: string;
  /** A Connect code in snake_case, as the Connect protocol spells it: "unavailable", "resource_exhausted", … */
  code: string;
  /** How many more calls fail. */
  count: number;
  message: string;
  /** Sent as the Retry-After header (Connect) or header/trailer (gRPC, gRPC-web) of each failure. */
  retryAfterSeconds?: number;
}

export interface RpcFailureInit {
  procedure: string;
  code: string;
  /** Default 1. */
  count?: number;
  /** Default "injected <code> failure". */
  message?: string;
  retryAfterSeconds?: number;
}

/** A failure described wrongly: the field, and why. */
export class InvalidRpcFailure extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Connect's code names: Code.ResourceExhausted is "resource_exhausted". */
const codes = new Map<string, Code>(
  Object.entries(Code)
    .filter((entry): entry is [string, Code] => typeof entry[1] === "number")
    .map(([name, code]) => [name.replace(/[A-Z]/g, (c, at: number) => (at > 0 ? "_" : "") + c.toLowerCase()), code]),
);

export class RpcFailures {
  private readonly procedures: ReadonlySet<string>;
  private pending: RpcFailure[] = [];

  /** Failures for the RPCs of these services only. */
  constructor(services: readonly DescService[]) {
    this.procedures = new Set(services.flatMap((s) => s.methods.map((m) => `${s.typeName}/${m.name}`)));
  }

  /** Adds a failure after any others of its RPC; throws InvalidRpcFailure for a bad one. */
  add(init: RpcFailureInit): RpcFailure {
    if (!this.procedures.has(init.procedure)) {
      throw new InvalidRpcFailure(
        "procedure",
        `no RPC ${JSON.stringify(init.procedure)} on this server; name one as "package.Service/Method", e.g. "gitpod.v1.EnvironmentService/GetEnvironment"`,
      );
    }
    if (!codes.has(init.code)) throw new InvalidRpcFailure("code", `must be a Connect code: ${[...codes.keys()].join(", ")}`);
    const count = init.count ?? 1;
    if (!Number.isSafeInteger(count) || count < 1) throw new InvalidRpcFailure("count", "must be a whole number, 1 or more");
    const retry = init.retryAfterSeconds;
    if (retry !== undefined && (!Number.isSafeInteger(retry) || retry < 0)) {
      throw new InvalidRpcFailure("retryAfterSeconds", "must be a whole number of seconds, 0 or more");
    }
    const failure: RpcFailure = {
      procedure: init.procedure,
      code: init.code,
      count,
      message: init.message ?? `injected ${init.code} failure`,
      ...(retry !== undefined ? { retryAfterSeconds: retry } : {}),
    };
    this.pending.push(failure);
    return { ...failure };
  }

  /** The failures not used up yet, in the order they will be used. */
  list(): RpcFailure[] {
    return this.pending.map((f) => ({ ...f }));
  }

  clear(): void {
    this.pending = [];
  }

  /**
   * Uses one call of the first failure of `procedure`: the error to fail that call with, or
   * undefined. Synchronous, so concurrent calls never use more than `count`.
   */
  take(procedure: string): ConnectError | undefined {
    const failure = this.pending.find((f) => f.procedure === procedure);
    if (!failure) return undefined;
    failure.count -= 1;
    if (failure.count === 0) this.pending = this.pending.filter((f) => f !== failure);
    const metadata = failure.retryAfterSeconds === undefined ? undefined : { "retry-after": String(failure.retryAfterSeconds) };
    return new ConnectError(failure.message, codes.get(failure.code) ?? Code.Unknown, metadata);
  }

  /** Fails the calls the failures name, before the handler (and any later interceptor) runs. */
  interceptor(): Interceptor {
    return (next) => async (req) => {
      const error = this.take(`${req.service.typeName}/${req.method.name}`);
      if (error) throw error;
      return next(req);
    };
  }
}
