import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfigObject } from "./config.js";

describe("configuration", () => {
  it("listens on 127.0.0.1:8080 by default", () => {
    const c = loadConfig([], {});
    expect([c.host, c.port]).toEqual(["127.0.0.1", 8080]);
  });

  it("takes HOST and PORT from the environment and lets flags win", () => {
    expect(loadConfig([], { HOST: "0.0.0.0", PORT: "9000" })).toMatchObject({ host: "0.0.0.0", port: 9000 });
    expect(loadConfig(["--port", "9001", "--host=::1"], { PORT: "9000" })).toMatchObject({ host: "::1", port: 9001 });
  });

  it("reads GITPOD_API_KEY as the admin token", () => {
    expect(loadConfig([], { GITPOD_API_KEY: "k" }).apiKey).toBe("k");
  });

  it("reads organizations, users and tokens from a JSON config file", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify({ port: 7000, organizations: [{ name: "Acme", users: [{ name: "a", tokens: ["t"] }] }] }));
    const c = loadConfig(["--config", file], {});
    expect(c.port).toBe(7000);
    expect(c.organizations).toEqual([{ name: "Acme", users: [{ name: "a", tokens: ["t"] }] }]);
  });

  it("names the offending entry of a bad config", () => {
    expect(() => parseConfigObject({ organizations: [{ name: "x", users: [{ name: "a", tokens: [1] }] }] })).toThrow(
      /organizations\[0\]\.users\[0\]\.tokens/,
    );
    expect(() => parseConfigObject({ nope: 1 })).toThrow(ConfigError);
    expect(() => loadConfig(["--port", "http"], {})).toThrow(/not a port/);
    expect(() => loadConfig(["--bogus"], {})).toThrow(/unknown argument/);
  });
});
