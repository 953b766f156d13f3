import { create } from "@bufbuild/protobuf";
import { ServicePhase, ServiceSchema } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { describe, expect, it } from "vitest";
import type { ServiceRecord } from "./records.js";
import { isAtRest, nextServiceAction, requestDelete, requestStart, requestStop, stepService, stopWithEnvironment } from "./service-lifecycle.js";

function service(phase: ServicePhase, desired: ServicePhase, extra: Partial<ServiceRecord> = {}, commands = { start: "run", ready: "", stop: "" }): ServiceRecord {
  return {
    runnerId: "r",
    fromAutomationsFile: false,
    startRequested: false,
    ...extra,
    service: create(ServiceSchema, { id: "s", environmentId: "e", spec: { specVersion: 1n, desiredPhase: desired, commands }, status: { phase } }),
  };
}
const noFailure = { nowMs: 0, failure: () => Promise.resolve(undefined) };

describe("nextServiceAction", () => {
  it.each([
    [ServicePhase.UNSPECIFIED, ServicePhase.STOPPED, false, undefined],
    [ServicePhase.UNSPECIFIED, ServicePhase.RUNNING, true, "start"],
    [ServicePhase.FAILED, ServicePhase.RUNNING, false, undefined],
    [ServicePhase.RUNNING, ServicePhase.RUNNING, false, undefined],
    [ServicePhase.RUNNING, ServicePhase.STOPPED, false, "stop"],
    [ServicePhase.STOPPING, ServicePhase.RUNNING, false, "finish-stop"],
    [ServicePhase.RUNNING, ServicePhase.DELETED, false, "stop"],
    [ServicePhase.STOPPED, ServicePhase.DELETED, false, "mark-deleted"],
    [ServicePhase.DELETED, ServicePhase.DELETED, false, "remove"],
    [ServicePhase.STARTING, ServicePhase.RUNNING, false, "launch"],
  ])("from %s towards %s (start requested: %s) is %s", (phase, desired, startRequested, kind) => {
    expect(nextServiceAction(service(phase, desired, { startRequested }))?.kind).toBe(kind);
  });
});

describe("requests", () => {
  it("start only what does not run or start already, and stop idempotently", () => {
    const running = service(ServicePhase.RUNNING, ServicePhase.RUNNING);
    expect(requestStart(running)).toBe(false);
    const failed = service(ServicePhase.FAILED, ServicePhase.RUNNING);
    expect(requestStart(failed)).toBe(true);
    expect(failed.startRequested).toBe(true);
    expect(isAtRest(failed)).toBe(false);
    expect(requestStop(failed)).toBe(true);
    expect(requestStop(failed)).toBe(false);
    expect(isAtRest(failed)).toBe(true);
    const deleting = service(ServicePhase.RUNNING, ServicePhase.RUNNING);
    expect(requestDelete(deleting)).toBe(true);
    expect(requestStart(deleting)).toBe(false);
    expect(requestStop(deleting)).toBe(false);
  });

  it("stop a service with its environment at once, keeping it stopped", () => {
    const r = service(ServicePhase.STARTING, ServicePhase.RUNNING, { starting: { sinceMs: 0, launched: true } });
    expect(stopWithEnvironment(r)).toBe(true);
    expect([r.service.status!.phase, r.service.spec!.desiredPhase, r.service.status!.statusVersion]).toEqual([ServicePhase.STOPPED, ServicePhase.STOPPED, 1n]);
    expect(stopWithEnvironment(r)).toBe(false);
    expect(nextServiceAction(r)).toBeUndefined();
  });
});

describe("stepService", () => {
  it("moves a start with a ready command through two STARTING steps to RUNNING", async () => {
    const r = service(ServicePhase.UNSPECIFIED, ServicePhase.RUNNING, { startRequested: true }, { start: "run", ready: "probe", stop: "" });
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      await stepService(r, noFailure);
      seen.push(ServicePhase[r.service.status!.phase]);
    }
    expect(seen).toEqual(["STARTING", "STARTING", "RUNNING", "RUNNING"]);
    expect(r.service.status!.statusVersion).toBe(2n);
  });
});
