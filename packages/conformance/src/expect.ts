// Assertions scenarios share: the error a call must end with, and nothing more than a scenario can
// say with node:assert/strict.
import { Code, ConnectError } from "@connectrpc/connect";
import { ScenarioFailure } from "./scenario.js";

/**
 * The call must fail with `code`; given `field`, the message must name that field path
 * (as documented: every invalid_argument names the offending field). Returns the error.
 */
export async function expectCode(call: Promise<unknown>, code: Code, options: { field?: string } = {}): Promise<ConnectError> {
  let result: unknown;
  try {
    result = await call;
  } catch (error) {
    const connectError = ConnectError.from(error);
    if (connectError.code !== code) {
      throw new ScenarioFailure(`expected ${codeName(code)}, got ${codeName(connectError.code)}: ${connectError.rawMessage}`);
    }
    if (options.field !== undefined && !connectError.rawMessage.includes(options.field)) {
      throw new ScenarioFailure(`expected ${codeName(code)} naming "${options.field}", got: ${connectError.rawMessage}`);
    }
    return connectError;
  }
  throw new ScenarioFailure(`expected ${codeName(code)}, the call succeeded: ${preview(result)}`);
}

/** "not_found", as Connect spells codes on the wire. */
export function codeName(code: Code): string {
  return Code[code].replace(/[A-Z]/g, (letter, index: number) => (index === 0 ? letter.toLowerCase() : `_${letter.toLowerCase()}`));
}

function preview(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
