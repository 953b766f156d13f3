// Expectations every service's tests share: failures with a code and a message naming the field,
// page walking, tampered page tokens, and "exactly one concurrent call wins".
import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "vitest";

/** Walks every page of a List RPC; returns the items and the number of pages. */
export async function allPages<T>(
  fetchPage: (token: string) => Promise<{ items: T[]; nextToken: string }>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let token = "";
  let pages = 0;
  do {
    const page = await fetchPage(token);
    items.push(...page.items);
    token = page.nextToken;
    pages++;
    if (pages > 1000) throw new Error("too many pages");
  } while (token !== "");
  return { items, pages };
}

/** A page token with one character changed (still base64url-ish), for tamper tests. */
export function tamper(token: string): string {
  const i = Math.floor(token.length / 2);
  return token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
}

/** Expects `call` to fail with `code`, and its message to contain each of `texts`. */
export async function expectFailure(call: Promise<unknown>, code: Code, ...texts: string[]): Promise<ConnectError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  if (!error) throw new Error(`expected ${Code[code]}, but the call succeeded`);
  expect({ code: Code[error.code], message: error.rawMessage }).toMatchObject({ code: Code[code] });
  for (const text of texts) expect(error.rawMessage).toContain(text);
  return error;
}

/** Runs `call` `n` times at once; expects exactly one success and every other call to fail with `loserCode`. */
export async function expectOneWinner(n: number, call: () => Promise<unknown>, loserCode: Code): Promise<void> {
  const results = await Promise.allSettled(Array.from({ length: n }, call));
  expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  const codes = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => ConnectError.from(r.reason).code);
  expect(codes.map((c) => Code[c])).toEqual(Array(n - 1).fill(Code[loserCode]));
}
