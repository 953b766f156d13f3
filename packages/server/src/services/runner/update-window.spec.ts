import { Code, ConnectError } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { UpdateWindowSchema } from "@gitpod-connect/schema/gitpod/v1/runner";
import { describe, expect, it } from "vitest";
import { normalizeUpdateWindow } from "./update-window.js";

const field = "spec.configuration.update_window";
const w = (startHour?: number, endHour?: number) =>
  create(UpdateWindowSchema, { ...(startHour !== undefined ? { startHour } : {}), ...(endHour !== undefined ? { endHour } : {}) });

describe("normalizeUpdateWindow", () => {
  it.each([
    [w(2, 6), 2, 6],
    [w(22, 4), 22, 4],
    [w(3), 3, 5],
    [w(23), 23, 1],
    [w(0, 2), 0, 2],
    [w(10, 9), 10, 9],
  ])("accepts %o as %i to %i", (window, start, end) => {
    expect(normalizeUpdateWindow(window, field)).toMatchObject({ startHour: start, endHour: end });
  });

  it("treats a missing or empty window as no restriction", () => {
    expect(normalizeUpdateWindow(undefined, field)).toBeUndefined();
    expect(normalizeUpdateWindow(w(), field)).toBeUndefined();
  });

  it.each([
    [w(undefined, 5), "update_window.start_hour", "required"],
    [w(24), "update_window.start_hour", "0 to 23"],
    [w(1, 24), "update_window.end_hour", "0 to 23"],
    [w(5, 6), "update_window.end_hour", "shorter than 2 hours"],
    [w(5, 5), "update_window.end_hour", "shorter than 2 hours"],
    [w(23, 0), "update_window.end_hour", "shorter than 2 hours"],
  ])("rejects %o naming %s", (window, path, text) => {
    let error: unknown;
    try {
      normalizeUpdateWindow(window, field);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    expect((error as ConnectError).rawMessage).toContain(path);
    expect((error as ConnectError).rawMessage).toContain(text);
  });
});
