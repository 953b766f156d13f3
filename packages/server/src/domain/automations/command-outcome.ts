// The simulated runner runs no commands. It reads how a command would end off the command itself,
// so tests and clients can ask for a failure without the testing controls: a command that is
// exactly `false` or `exit N` (N ≠ 0, after trimming) fails with that exit code; `true` and
// `exit 0` end at once with code 0; anything else behaves like a command that works (a service's
// start command keeps running, a task's command succeeds).

export type CommandOutcome = { kind: "works" } | { kind: "exits"; code: number };

export function commandOutcome(command: string): CommandOutcome {
  const c = command.trim();
  if (c === "false") return { kind: "exits", code: 1 };
  if (c === "true") return { kind: "exits", code: 0 };
  const exit = /^exit\s+(\d{1,3})$/.exec(c);
  if (exit) return { kind: "exits", code: Number(exit[1]) };
  return { kind: "works" };
}

/** The failure message of a command that exits non-zero, or undefined when it does not fail. */
export function commandFailure(what: string, command: string): string | undefined {
  const outcome = commandOutcome(command);
  if (outcome.kind !== "exits" || outcome.code === 0) return undefined;
  return `${what} ${JSON.stringify(command.trim())} exited with code ${outcome.code}`;
}
