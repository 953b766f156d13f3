import { describe, expect, it } from "vitest";
import { optionsFromEnv } from "./env.js";
import { defaultBaseUrl, InvalidOptionError, resolveOptions } from "./options.js";

describe("options", () => {
  it("fills in the defaults", () => {
    const o = resolveOptions({});
    expect(o).toMatchObject({ baseUrl: defaultBaseUrl, protocol: "connect", binary: false, useHttpGet: false, timeoutMs: 60_000 });
    expect(o.retry).toMatchObject({ maxRetries: 2, initialDelayMs: 500, maxDelayMs: 8_000, unsafe: false });
  });

  it("drops a trailing slash of the base URL, so paths join cleanly", () => {
    expect(resolveOptions({ baseUrl: "http://127.0.0.1:8080/api/" }).baseUrl).toBe("http://127.0.0.1:8080/api");
  });

  it("always speaks binary over gRPC", () => {
    expect(resolveOptions({ protocol: "grpc" }).binary).toBe(true);
  });

  it("treats timeoutMs 0 as no default deadline", () => {
    expect(resolveOptions({ timeoutMs: 0 }).timeoutMs).toBeUndefined();
  });

  const bad: [string, Parameters<typeof resolveOptions>[0], RegExp][] = [
    ["baseUrl", { baseUrl: "app.gitpod.io" }, /options\.baseUrl must be an absolute http\(s\) URL/],
    ["baseUrl", { baseUrl: "ftp://x" }, /options\.baseUrl must be an http\(s\) URL/],
    ["baseUrl", { baseUrl: "http://x/?a=1" }, /options\.baseUrl must have no query/],
    ["protocol", { protocol: "http" as "connect" }, /options\.protocol must be one of connect, grpc-web, grpc/],
    ["useHttpGet", { protocol: "grpc", useHttpGet: true }, /options\.useHttpGet works with the connect protocol only/],
    ["token", { token: 42 as unknown as string }, /options\.token must be a string or a function/],
    ["timeoutMs", { timeoutMs: -1 }, /options\.timeoutMs must be a whole number/],
    ["retry.maxRetries", { retry: { maxRetries: 1.5 } }, /options\.retry\.maxRetries must be a whole number/],
    ["retry.maxDelayMs", { retry: { initialDelayMs: 10, maxDelayMs: 5 } }, /options\.retry\.maxDelayMs must not be less/],
  ];
  for (const [option, given, message] of bad) {
    it(`rejects a bad ${option}, naming it`, () => {
      let error: unknown;
      try {
        resolveOptions(given);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe(option);
      expect((error as Error).message).toMatch(message);
    });
  }

  it("refuses a protocol the platform lacks (gRPC in a browser)", () => {
    expect(() => resolveOptions({ protocol: "grpc" }, ["connect", "grpc-web"])).toThrow(/"grpc" is not available here \(use connect or grpc-web\)/);
  });
});

describe("fromEnv options", () => {
  it("reads GITPOD_API_KEY and GITPOD_BASE_URL", () => {
    expect(optionsFromEnv({ GITPOD_API_KEY: "k", GITPOD_BASE_URL: "http://127.0.0.1:1" })).toEqual({ token: "k", baseUrl: "http://127.0.0.1:1" });
  });

  it("defaults the base URL to the hosted API", () => {
    expect(optionsFromEnv({ GITPOD_API_KEY: "k" }).baseUrl).toBe(defaultBaseUrl);
  });

  it("says which variable is missing", () => {
    expect(() => optionsFromEnv({ GITPOD_API_KEY: " " })).toThrow(/set GITPOD_API_KEY/);
  });
});
