import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createPageTokens, fingerprint } from "./page-token.js";

function expectBadToken(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConnectError);
    expect((e as ConnectError).code).toBe(Code.InvalidArgument);
    expect((e as ConnectError).rawMessage).toMatch(/^pagination\.token: /);
    return;
  }
  throw new Error("token was accepted");
}

describe("page tokens", () => {
  const tokens = createPageTokens();

  it("reads back the cursor of a token it issued for the same binding", () => {
    expect(tokens.read(tokens.issue(42, "runners\norg\nf"), "runners\norg\nf")).toBe(42);
  });

  it("rejects a forged token with invalid_argument naming pagination.token", () => {
    const payload = Buffer.from(JSON.stringify({ v: 1, c: 7 })).toString("base64url");
    expectBadToken(() => tokens.read(`${payload}.${Buffer.alloc(32).toString("base64url")}`, "b"));
    expectBadToken(() => tokens.read("garbage", "b"));
    expectBadToken(() => tokens.read("a.b.c", "b"));
  });

  it("rejects a tampered token whose cursor was edited", () => {
    const token = tokens.issue(5, "b");
    const [, mac] = token.split(".");
    const edited = `${Buffer.from(JSON.stringify({ v: 1, c: 500 })).toString("base64url")}.${mac}`;
    expectBadToken(() => tokens.read(edited, "b"));
  });

  it("rejects a token issued for another list, organization or filter", () => {
    const token = tokens.issue(5, "runners\norg-a\nf1");
    expectBadToken(() => tokens.read(token, "runners\norg-b\nf1"));
    expectBadToken(() => tokens.read(token, "classes\norg-a\nf1"));
    expectBadToken(() => tokens.read(token, "runners\norg-a\nf2"));
  });

  it("rejects a token of another server process (another secret)", () => {
    const foreign = createPageTokens().issue(5, "b");
    expectBadToken(() => tokens.read(foreign, "b"));
  });

  it("fingerprints equal filters equally whatever their key order", () => {
    expect(fingerprint({ a: 1, b: [1, 2] })).toBe(fingerprint({ b: [1, 2], a: 1 }));
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: 2 }));
    expect(fingerprint(undefined)).toBe(fingerprint(null));
  });
});
