import { MethodOptions_IdempotencyLevel as Idempotency } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { describe, expect, it } from "vitest";
import { backoffDelayMs, defaultRetryOptions, isSafeToRepeat, parseRetryAfterMs, retryDelayMs } from "./retry-policy.js";

const policy = { ...defaultRetryOptions, initialDelayMs: 100, maxDelayMs: 1_000, maxRetries: 5 };

describe("backoff", () => {
  it("doubles per retry, between half and all of the ceiling", () => {
    expect([1, 2, 3].map((n) => backoffDelayMs(n, policy, () => 0))).toEqual([50, 100, 200]);
    expect([1, 2, 3].map((n) => backoffDelayMs(n, policy, () => 1))).toEqual([100, 200, 400]);
  });

  it("never exceeds maxDelayMs", () => {
    expect(backoffDelayMs(10, policy, () => 1)).toBe(1_000);
    expect(backoffDelayMs(60, policy, () => 0.999)).toBeLessThanOrEqual(1_000);
  });

  it("spreads clients that failed together", () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelayMs(3, policy)));
    expect(delays.size).toBeGreaterThan(1);
  });
});

describe("Retry-After", () => {
  it("reads delta-seconds", () => {
    expect(parseRetryAfterMs("3")).toBe(3_000);
    expect(parseRetryAfterMs(" 0 ")).toBe(0);
  });

  it("reads an HTTP date relative to now, never negative", () => {
    const now = Date.parse("2026-12-01T10:00:00Z");
    expect(parseRetryAfterMs("Tue, 01 Dec 2026 10:00:05 GMT", now)).toBe(5_000);
    expect(parseRetryAfterMs("Tue, 01 Dec 2026 09:00:00 GMT", now)).toBe(0);
  });

  it("ignores what it cannot read, so the backoff applies", () => {
    expect(parseRetryAfterMs("soon")).toBeUndefined();
    expect(parseRetryAfterMs("-1")).toBeUndefined();
    expect(parseRetryAfterMs(null)).toBeUndefined();
  });
});

describe("retry decisions", () => {
  const unavailable = new ConnectError("down", Code.Unavailable);

  it("retries unavailable and resource_exhausted only", () => {
    expect(retryDelayMs(unavailable, 1, policy, null)).toBeGreaterThan(0);
    expect(retryDelayMs(new ConnectError("slow down", Code.ResourceExhausted), 1, policy, null)).toBeGreaterThan(0);
    for (const code of [Code.Internal, Code.InvalidArgument, Code.NotFound, Code.DeadlineExceeded, Code.Unauthenticated, Code.Unknown]) {
      expect(retryDelayMs(new ConnectError("no", code), 1, policy, null), Code[code]).toBeUndefined();
    }
  });

  it("stops after maxRetries", () => {
    expect(retryDelayMs(unavailable, 5, policy, null)).toBeDefined();
    expect(retryDelayMs(unavailable, 6, policy, null)).toBeUndefined();
  });

  it("waits what Retry-After says, and not at all when it says more than maxRetryAfterMs", () => {
    expect(retryDelayMs(unavailable, 1, policy, "2")).toBe(2_000);
    expect(retryDelayMs(unavailable, 1, { ...policy, maxRetryAfterMs: 1_000 }, "2")).toBeUndefined();
  });
});

describe("safe to repeat", () => {
  it("follows the schema's idempotency levels", () => {
    const m = EnvironmentService.method;
    expect(m.getEnvironment.idempotency).toBe(Idempotency.NO_SIDE_EFFECTS);
    expect(isSafeToRepeat(m.getEnvironment)).toBe(true);
    expect(isSafeToRepeat(m.listEnvironments)).toBe(true);
    expect(isSafeToRepeat(m.stopEnvironment)).toBe(true);
    expect(isSafeToRepeat(m.deleteEnvironment)).toBe(true);
    expect(isSafeToRepeat(m.createEnvironment)).toBe(false);
    expect(isSafeToRepeat(EnvironmentAutomationService.method.startTask)).toBe(false);
  });
});
