// The testing controls of a target that declares them (reset, clock, failure injection): plain
// JSON over HTTP under `/testing/v1/`, with their own bearer token — the reference server's admin
// surface (packages/server/README.md, "Testing controls"). `probeTestingControls` decides, once
// per run, whether scenarios that need them run or are skipped, and says why.
import type { TestingControls } from "./scenario.js";
import { ScenarioFailure } from "./scenario.js";

export type ControlsStatus = { available: true; controls: HttpTestingControls } | { available: false; reason: string };

export interface HttpTestingControls extends TestingControls {
  /** Whether the clock is frozen by a call through this object (the kit's `waitFor` then advances it). */
  readonly frozen: boolean;
}

async function call(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${baseUrl}/testing/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) throw new ScenarioFailure(`testing controls: ${method} /testing/v1${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

export function httpTestingControls(baseUrl: string, token: string): HttpTestingControls {
  const base = baseUrl.replace(/\/+$/, "");
  let frozen = false;
  return {
    get frozen() {
      return frozen;
    },
    async reset() {
      await call(base, token, "POST", "/reset");
    },
    async freezeClock() {
      await call(base, token, "POST", "/clock/freeze");
      frozen = true;
    },
    async advanceClock(ms) {
      await call(base, token, "POST", "/clock/advance", { ms });
    },
    async resumeClock() {
      await call(base, token, "POST", "/clock/resume");
      frozen = false;
    },
    async injectFailure(failure) {
      await call(base, token, "POST", "/failures", failure);
    },
    async injectRpcFailure(failure) {
      await call(base, token, "POST", "/rpc-failures", failure);
    },
    async clearRpcFailures() {
      await call(base, token, "DELETE", "/rpc-failures");
    },
  };
}

/** Whether the target's testing controls answer with `token`; why not otherwise. */
export async function probeTestingControls(baseUrl: string, token: string | undefined): Promise<ControlsStatus> {
  if (token === undefined) return { available: false, reason: "target declares no testing controls (no --testing-token)" };
  const base = baseUrl.replace(/\/+$/, "");
  let response: Response;
  try {
    response = await fetch(`${base}/testing/v1`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
  } catch (error) {
    return { available: false, reason: `testing controls not reachable at ${base}/testing/v1: ${(error as Error).message}` };
  }
  if (response.status === 401 || response.status === 403) {
    return { available: false, reason: `testing controls refused the testing token (${response.status} at ${base}/testing/v1)` };
  }
  if (!response.ok) return { available: false, reason: `target serves no testing controls (${response.status} at ${base}/testing/v1)` };
  return { available: true, controls: httpTestingControls(base, token) };
}
