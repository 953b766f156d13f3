// What a scenario is and what it may use. A scenario proves one documented behaviour of one RPC
// (its "subject") against any target: it gets authenticated clients on the protocol under test,
// the fixtures the kit discovered, and — only when the target declares them — a second
// organization's clients and the testing controls. It fails by throwing (node:assert or
// `ScenarioFailure`), and skips, with the reason, through `ctx.skip`.
import type { DescService } from "@bufbuild/protobuf";
import type { Client } from "@connectrpc/connect";

/** The protocols a target may declare; every scenario runs once per declared protocol. */
export type Protocol = "connect-json" | "connect-binary" | "grpc-web" | "grpc";
export const protocols: readonly Protocol[] = ["connect-json", "connect-binary", "grpc-web", "grpc"];

/** What a scenario needs beyond one token; without it the scenario is skipped, saying which. */
export type Need =
  /** a second token, of a user in another organization (isolation scenarios) */
  | "second-organization"
  /** the testing controls: reset, clock, failure injection */
  | "testing-controls";

export interface Scenario {
  /** Unique and stable, used by `--only`, `--skip` and the deviations file: "EnvironmentService.GetEnvironment/not-found". */
  readonly id: string;
  /** The service and RPC whose behaviour this proves (the table's row). */
  readonly service: string;
  readonly rpc: string;
  /** The behaviour, in a sentence: "an unknown id is not_found". */
  readonly title: string;
  readonly needs?: readonly Need[];
  /** Longest the scenario may take (default 30 s); lifecycle scenarios say more. */
  readonly timeoutMs?: number;
  run(ctx: ScenarioContext): Promise<void>;
}

export interface Fixtures {
  /** The caller's organization (GetAuthenticatedIdentity). */
  readonly organizationId: string;
  /** A runner of that organization with an enabled environment class, and that class. */
  readonly runnerId: string;
  readonly environmentClassId: string;
}

export interface TestingControls {
  reset(): Promise<void>;
  freezeClock(): Promise<void>;
  advanceClock(ms: number): Promise<void>;
  resumeClock(): Promise<void>;
  /** The next time `id` reaches `step`, it fails (kinds and steps: the server README's testing controls). */
  injectFailure(failure: { kind: "environment" | "service" | "task"; id: string; step: string; message?: string }): Promise<void>;
  /** The next `count` calls of `procedure` ("gitpod.v1.X/Method") fail with `code` (snake_case Connect code). */
  injectRpcFailure(failure: { procedure: string; code: string; count?: number; message?: string; retryAfterSeconds?: number }): Promise<void>;
  clearRpcFailures(): Promise<void>;
}

export interface ScenarioContext {
  readonly protocol: Protocol;
  /** A client on the protocol under test, authenticated with the target's token. */
  client<S extends DescService>(service: S): Client<S>;
  /** The same, with another bearer token (or none: `undefined`). */
  clientWithToken<S extends DescService>(service: S, token: string | undefined): Client<S>;
  readonly fixtures: Fixtures;
  /** A second organization's client, for isolation; present only if the scenario needs "second-organization". */
  readonly otherOrganization?: {
    readonly fixtures: Pick<Fixtures, "organizationId">;
    client<S extends DescService>(service: S): Client<S>;
  };
  /** Present only if the scenario needs "testing-controls". */
  readonly controls?: TestingControls;
  /**
   * Waits until `probe` returns a value `until` accepts, polling; with testing controls whose clock
   * the kit froze it advances the clock instead of sleeping. Fails naming `what` after `timeoutMs`.
   */
  waitFor<T>(what: string, probe: () => Promise<T>, until: (value: T) => boolean, options?: { timeoutMs?: number }): Promise<T>;
  /** Runs after the scenario, pass or fail, in reverse order (deletes what it created). */
  cleanup(step: () => Promise<unknown>): void;
  /** A name no other scenario or run uses: `${prefix}-${random}`. */
  uniqueName(prefix: string): string;
  /** Ends the scenario as skipped, with the reason shown in the report. */
  skip(reason: string): never;
}

/** A failure with a message the report shows as is. */
export class ScenarioFailure extends Error {
  override readonly name = "ScenarioFailure";
}
