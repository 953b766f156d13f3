// How a wait for a phase ends when the phase is not reached: typed, so a caller can tell a
// failed environment from a deleted one or from its own patience running out.

export type WaitOutcome = "failed" | "unreachable" | "timeout";

export class WaitForPhaseError<R = unknown> extends Error {
  constructor(
    readonly outcome: WaitOutcome,
    /** "environment", "service" or "task execution". */
    readonly kind: string,
    readonly id: string,
    /** The phases waited for, by name (e.g. "RUNNING"). */
    readonly wanted: readonly string[],
    /** The phase the resource was last seen in, by name. */
    readonly phase: string,
    /** The resource as last read, if it was read at all. */
    readonly resource: R | undefined,
    message: string,
  ) {
    super(message);
    this.name = "WaitForPhaseError";
  }
}

/** The resource failed (a failed phase, or a failure reported for its current spec). */
export class ResourceFailedError<R = unknown> extends WaitForPhaseError<R> {
  constructor(
    kind: string,
    id: string,
    wanted: readonly string[],
    phase: string,
    resource: R,
    readonly failureMessage: string,
  ) {
    super("failed", kind, id, wanted, phase, resource, `${kind} ${id} failed before reaching ${wanted.join(" or ")}: ${failureMessage || phase}`);
    this.name = "ResourceFailedError";
  }
}

/** The resource reached a final phase (deleted, succeeded, stopped…) other than the one waited for. */
export class UnreachablePhaseError<R = unknown> extends WaitForPhaseError<R> {
  constructor(kind: string, id: string, wanted: readonly string[], phase: string, resource: R | undefined) {
    super("unreachable", kind, id, wanted, phase, resource, `${kind} ${id} is ${phase} and can no longer become ${wanted.join(" or ")}`);
    this.name = "UnreachablePhaseError";
  }
}

/** The wait's own timeout passed first. */
export class WaitTimeoutError<R = unknown> extends WaitForPhaseError<R> {
  constructor(kind: string, id: string, wanted: readonly string[], phase: string, resource: R | undefined, readonly timeoutMs: number) {
    super("timeout", kind, id, wanted, phase, resource, `${kind} ${id} did not become ${wanted.join(" or ")} within ${timeoutMs} ms (last seen ${phase})`);
    this.name = "WaitTimeoutError";
  }
}
