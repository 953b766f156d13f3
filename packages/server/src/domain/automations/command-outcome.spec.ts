import { describe, expect, it } from "vitest";
import { commandFailure, commandOutcome } from "./command-outcome.js";

describe("the command convention of the simulated runner", () => {
  it.each([
    ["false", { kind: "exits", code: 1 }],
    ["exit 3", { kind: "exits", code: 3 }],
    ["  exit   12 ", { kind: "exits", code: 12 }],
    ["exit 0", { kind: "exits", code: 0 }],
    ["true", { kind: "exits", code: 0 }],
    ["npm test", { kind: "works" }],
    ["npm test && exit 1", { kind: "works" }],
    ["exit", { kind: "works" }],
  ])("reads %j as %j", (command, outcome) => {
    expect(commandOutcome(command)).toEqual(outcome);
  });

  it("words a failure with the command and its exit code, and has none for code 0", () => {
    expect(commandFailure("start command", " exit 2")).toBe('start command "exit 2" exited with code 2');
    expect(commandFailure("start command", "exit 0")).toBeUndefined();
    expect(commandFailure("stop command", "")).toBeUndefined();
  });
});
