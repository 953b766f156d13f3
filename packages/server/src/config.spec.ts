import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, defaultConfig, loadConfig, parseConfigObject, usage } from "./config.js";

const orgId = "8d2a5c0e-3f1b-4c7a-9e21-5b6f0a9d7c11";
const userId = "2f6c1d7e-5a4b-4e3c-8d2a-1b0c9e8f7a65";
const projectId = "6b1e9c3a-7d2f-4a58-b4c6-0e9d8f7a6b5c";

function configFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "cfg-"));
  const file = join(dir, "c.json");
  writeFileSync(file, JSON.stringify(content));
  return file;
}

/** The ConfigError message of `f`. */
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
}

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
    const file = configFile({ port: 7000, organizations: [{ name: "Acme", users: [{ name: "a", tokens: ["t"] }] }] });
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

describe("the config file is strict at every level", () => {
  it.each([
    [{ nope: 1 }, "config: nope: unknown key"],
    [{ organizations: [{ name: "x", foo: 1 }] }, "config: organizations[0].foo: unknown key"],
    [{ organizations: [{ name: "x", users: [{ name: "a" }, { name: "b", foo: 1 }] }] }, "config: organizations[0].users[1].foo: unknown key"],
    [{ projects: [{ name: "p", repo: "x" }] }, "config: projects[0].repo: unknown key"],
    [{ organizations: [{ name: "x", projects: [{ name: "p", bar: true }] }] }, "config: organizations[0].projects[0].bar: unknown key"],
  ])("%j → %s", (raw, message) => {
    expect(errorOf(() => parseConfigObject(raw))).toBe(message);
  });

  it("names the file in errors from loadConfig", () => {
    const file = configFile({ organizations: [{ name: "x", users: [{ name: "a" }, { name: "b", foo: 1 }] }] });
    expect(errorOf(() => loadConfig(["--config", file], {}))).toBe(`config file ${file}: organizations[0].users[1].foo: unknown key`);
  });

  it.each([
    [{ organizations: [{ id: "acme", name: "x" }] }, "organizations[0].id"],
    [{ organizations: [{ id: 7, name: "x" }] }, "organizations[0].id"],
    [{ organizations: [{ name: "x", users: [{ name: "a" }, { id: "1234", name: "b" }] }] }, "organizations[0].users[1].id"],
    [{ projects: [{ id: "p-1", name: "p" }] }, "projects[0].id"],
    [{ projects: [{ name: "p", environmentClassId: "small" }] }, "projects[0].environmentClassId"],
    [{ organizations: [{ name: "x", projects: [{ id: `${projectId}0`, name: "p" }] }] }, "organizations[0].projects[0].id"],
  ])("rejects a malformed id: %j names %s", (raw, path) => {
    expect(errorOf(() => parseConfigObject(raw))).toMatch(new RegExp(`^config: ${path.replace(/[[\].]/g, "\\$&")}: must be a (UUID|string)`));
  });

  it("accepts UUIDs as ids, in any case", () => {
    const c = parseConfigObject({
      organizations: [{ id: orgId.toUpperCase(), name: "Acme", users: [{ id: userId, name: "alice", email: "a@acme.test", admin: true, tokens: ["t"] }] }],
    });
    expect(c.organizations?.[0]).toEqual({ id: orgId.toUpperCase(), name: "Acme", users: [{ id: userId, name: "alice", email: "a@acme.test", admin: true, tokens: ["t"] }] });
  });

  it("rejects an id or a token used twice, naming both places", () => {
    expect(errorOf(() => parseConfigObject({ organizations: [{ id: orgId, name: "a" }, { id: orgId, name: "b" }] }))).toBe(
      "config: organizations[1].id: the same id as organizations[0].id",
    );
    expect(
      errorOf(() => parseConfigObject({ organizations: [{ name: "a", users: [{ name: "u", tokens: ["t"] }] }, { name: "b", users: [{ name: "v", tokens: ["t"] }] }] })),
    ).toBe("config: organizations[1].users[0].tokens[0]: the same token as organizations[0].users[0].tokens[0]");
  });

  it("checks the types of known keys, naming them", () => {
    expect(errorOf(() => parseConfigObject({ organizations: [{ name: "" }] }))).toBe("config: organizations[0].name: must be a non-empty string");
    expect(errorOf(() => parseConfigObject({ organizations: [{ name: "x", users: [{ name: "a", admin: "yes" }] }] }))).toBe(
      "config: organizations[0].users[0].admin: must be true or false",
    );
    expect(errorOf(() => parseConfigObject({ organizations: {} }))).toBe("config: organizations: must be an array");
    expect(errorOf(() => parseConfigObject({ organizations: ["x"] }))).toBe("config: organizations[0]: must be a JSON object");
    expect(errorOf(() => parseConfigObject([]))).toBe("config: must be a JSON object");
    expect(errorOf(() => parseConfigObject({ host: 1 }))).toBe("config: host: must be a string");
  });
});

describe("projects", () => {
  const initializer = { specs: [{ git: { remoteUri: "https://github.com/org/repo", targetMode: "CLONE_TARGET_MODE_REMOTE_BRANCH", cloneTarget: "main" } }] };
  const automationsFile = { services: { web: { name: "Web", commands: { start: "npm start" } } }, tasks: { build: { name: "Build", command: "npm run build" } } };

  it("reads top-level projects (the bootstrap organization's) and organizations[].projects", () => {
    const file = configFile({
      projects: [{ id: projectId, name: "Website", initializer, automationsFile, devcontainerFilePath: ".devcontainer/devcontainer.json" }],
      organizations: [{ name: "Acme", projects: [{ name: "Backend", environmentClassId: orgId }] }],
    });
    const c = loadConfig(["--config", file], {});
    expect(c.projects).toEqual([{ id: projectId, name: "Website", initializer, automationsFile, devcontainerFilePath: ".devcontainer/devcontainer.json" }]);
    expect(c.organizations).toEqual([{ name: "Acme", users: [], projects: [{ name: "Backend", environmentClassId: orgId }] }]);
    expect(loadConfig([], {}).projects).toEqual([]);
  });

  it("checks initializer as a gitpod.v1.EnvironmentInitializer, strictly, naming the path", () => {
    expect(errorOf(() => parseConfigObject({ projects: [{ name: "p", initializer: { specs: [{ git: { remote: "x" } }] } }] }))).toBe(
      "config: projects[0].initializer.specs[0].git.remote: unknown key (in a gitpod.v1.EnvironmentInitializer)",
    );
    expect(errorOf(() => parseConfigObject({ projects: [{ name: "p", initializer: { specs: [{ git: { targetMode: "BRANCH" } }] } }] }))).toMatch(
      /^config: projects\[0\]\.initializer\.specs\[0\]\.git\.target_mode: unknown value "BRANCH" for enum gitpod\.v1\.GitInitializer\.CloneTargetMode; accepted: .*CLONE_TARGET_MODE_REMOTE_BRANCH/,
    );
    // Malformed otherwise: protobuf-es's own words, after the path of the value.
    expect(errorOf(() => parseConfigObject({ projects: [{ name: "p", initializer: { specs: { git: {} } } }] }))).toMatch(
      /^config: projects\[0\]\.initializer: not a valid gitpod\.v1\.EnvironmentInitializer: .*specs/,
    );
    expect(errorOf(() => parseConfigObject({ projects: [{ name: "p", initializer: "https://github.com/org/repo" }] }))).toMatch(
      /^config: projects\[0\]\.initializer: must be a JSON object/,
    );
  });

  it("checks automationsFile as a gitpod.v1.AutomationsFile, strictly, naming the path", () => {
    const bad = { services: { web: { name: "Web", commands: { begin: "npm start" } } } };
    expect(errorOf(() => parseConfigObject({ organizations: [{ name: "Acme", projects: [{ name: "p", automationsFile: bad }] }] }))).toBe(
      'config: organizations[0].projects[0].automationsFile.services["web"].commands.begin: unknown key (in a gitpod.v1.AutomationsFile)',
    );
  });

  it("requires a name", () => {
    expect(errorOf(() => parseConfigObject({ projects: [{ id: projectId }] }))).toBe("config: projects[0].name: must be a string");
  });
});

describe("simulation and testing-control options", () => {
  it("defaults: 100 ms steps, archiving after 7 days, no testing controls", () => {
    const c = loadConfig([], {});
    expect(c).toMatchObject({ stepDelayMs: 100, archiveAfterMs: 7 * 24 * 3600 * 1000, testingControls: false });
    expect(c.testingToken).toBeUndefined();
    expect(defaultConfig.stepDelayMs).toBe(100);
  });

  it("reads each from the file, the environment and flags; later ones win", () => {
    const file = configFile({ stepDelayMs: 5, archiveAfterMs: 1000, testingControls: true, testingToken: "file-token" });
    expect(loadConfig(["--config", file], {})).toMatchObject({ stepDelayMs: 5, archiveAfterMs: 1000, testingControls: true, testingToken: "file-token" });
    const env = { GITPOD_STEP_DELAY_MS: "0", GITPOD_ARCHIVE_AFTER_MS: "2000", GITPOD_TESTING_CONTROLS: "false", GITPOD_TESTING_TOKEN: "env-token" };
    expect(loadConfig(["--config", file], env)).toMatchObject({ stepDelayMs: 0, archiveAfterMs: 2000, testingControls: false, testingToken: "env-token" });
    const flags = ["--config", file, "--step-delay-ms", "7", "--archive-after-ms=3000", "--testing-controls", "--testing-token", "flag-token"];
    expect(loadConfig(flags, env)).toMatchObject({ stepDelayMs: 7, archiveAfterMs: 3000, testingControls: true, testingToken: "flag-token" });
  });

  it("GITPOD_TESTING_CONTROLS takes 1|true (and 0|false); --testing-controls takes no value of its own", () => {
    expect(loadConfig([], { GITPOD_TESTING_CONTROLS: "1" }).testingControls).toBe(true);
    expect(loadConfig([], { GITPOD_TESTING_CONTROLS: "true" }).testingControls).toBe(true);
    expect(loadConfig([], { GITPOD_TESTING_CONTROLS: "0" }).testingControls).toBe(false);
    expect(errorOf(() => loadConfig([], { GITPOD_TESTING_CONTROLS: "yes" }))).toMatch(/^GITPOD_TESTING_CONTROLS: must be 1, true, 0 or false/);
    // The next argument is not its value.
    expect(loadConfig(["--testing-controls", "--port", "9"], {})).toMatchObject({ testingControls: true, port: 9 });
    expect(loadConfig(["--testing-controls=false"], { GITPOD_TESTING_CONTROLS: "1" }).testingControls).toBe(false);
  });

  it.each([
    [["--step-delay-ms", "-1"], {}, /^--step-delay-ms: must be an integer >= 0/],
    [["--step-delay-ms", "1.5"], {}, /^--step-delay-ms: must be an integer >= 0/],
    [[], { GITPOD_STEP_DELAY_MS: "soon" }, /^GITPOD_STEP_DELAY_MS: must be an integer >= 0/],
    [["--archive-after-ms", "0"], {}, /^--archive-after-ms: must be an integer >= 1/],
    [[], { GITPOD_ARCHIVE_AFTER_MS: "1e3" }, /^GITPOD_ARCHIVE_AFTER_MS: must be an integer >= 1/],
    [["--step-delay-ms"], {}, /^--step-delay-ms needs a value/],
  ] as const)("rejects %j %j", (argv, env, message) => {
    expect(errorOf(() => loadConfig(argv, env))).toMatch(message);
  });

  it.each([
    [{ stepDelayMs: -1 }, "config: stepDelayMs: must be an integer >= 0"],
    [{ stepDelayMs: "100" }, "config: stepDelayMs: must be an integer >= 0"],
    [{ archiveAfterMs: 0 }, "config: archiveAfterMs: must be an integer >= 1"],
    [{ archiveAfterMs: 1.5 }, "config: archiveAfterMs: must be an integer >= 1"],
    [{ testingControls: "true" }, "config: testingControls: must be true or false"],
    [{ testingToken: "" }, "config: testingToken: must be a non-empty string"],
  ])("rejects the file's %j", (raw, message) => {
    expect(errorOf(() => parseConfigObject(raw))).toBe(message);
  });

  it("keeps the testing token apart from every API token", () => {
    expect(errorOf(() => loadConfig(["--testing-controls", "--testing-token", "k"], { GITPOD_API_KEY: "k" }))).toMatch(/testing token must differ/);
    const file = configFile({ testingControls: true, testingToken: "u", organizations: [{ name: "x", users: [{ name: "a", tokens: ["u"] }] }] });
    expect(errorOf(() => loadConfig(["--config", file], {}))).toMatch(/testing token must differ/);
  });

  it("documents every option in the usage text", () => {
    for (const text of ["--step-delay-ms", "GITPOD_STEP_DELAY_MS", "--archive-after-ms", "GITPOD_ARCHIVE_AFTER_MS", "--testing-controls", "GITPOD_TESTING_CONTROLS", "--testing-token", "GITPOD_TESTING_TOKEN"]) {
      expect(usage).toContain(text);
    }
  });
});

describe("CORS origins", () => {
  it("are none by default", () => {
    expect(loadConfig([], {}).corsOrigins).toEqual([]);
  });

  it("come from the file, GITPOD_CORS_ORIGINS (comma-separated) and repeated --cors-origin; later ones win", () => {
    const file = configFile({ corsOrigins: ["http://file.test"] });
    expect(loadConfig(["--config", file], {}).corsOrigins).toEqual(["http://file.test"]);
    const env = { GITPOD_CORS_ORIGINS: "http://localhost:5173, https://app.test" };
    expect(loadConfig(["--config", file], env).corsOrigins).toEqual(["http://localhost:5173", "https://app.test"]);
    expect(loadConfig(["--config", file, "--cors-origin", "http://a.test:1", "--cors-origin=http://b.test"], env).corsOrigins).toEqual([
      "http://a.test:1",
      "http://b.test",
    ]);
    expect(loadConfig(["--cors-origin", "*"], {}).corsOrigins).toEqual(["*"]);
    expect(loadConfig([], { GITPOD_CORS_ORIGINS: "*" }).corsOrigins).toEqual(["*"]);
  });

  it.each([
    [["--cors-origin", "https://app.test/"], {}, '--cors-origin: must be an origin as browsers send it (scheme://host[:port] in lower case, no default port, no path); got "https://app.test/", did you mean "https://app.test"?'],
    [["--cors-origin", "app.test"], {}, '--cors-origin: must be an origin (scheme://host[:port], no path) or *; got "app.test"'],
    [["--cors-origin", "*", "--cors-origin", "http://a.test"], {}, "--cors-origin: * already allows every origin; give it alone"],
    [[], { GITPOD_CORS_ORIGINS: "http://a.test,,http://b.test" }, 'GITPOD_CORS_ORIGINS: must be an origin (scheme://host[:port], no path) or *; got ""'],
    [[], { GITPOD_CORS_ORIGINS: "http://a.test/x" }, 'GITPOD_CORS_ORIGINS: must be an origin as browsers send it (scheme://host[:port] in lower case, no default port, no path); got "http://a.test/x", did you mean "http://a.test"?'],
    [["--cors-origin"], {}, "--cors-origin needs a value"],
  ] as const)("rejects %j %j, naming the flag or variable", (argv, env, message) => {
    expect(errorOf(() => loadConfig(argv, env))).toBe(message);
  });

  it.each([
    [{ corsOrigins: "http://a.test" }, "config: corsOrigins: must be an array"],
    [{ corsOrigins: [1] }, "config: corsOrigins[0]: must be a string"],
    [{ corsOrigins: ["ftp://a.test"] }, 'config: corsOrigins: must be an http or https origin (scheme://host[:port], no path) or *; got "ftp://a.test"'],
  ])("rejects the file's %j", (raw, message) => {
    expect(errorOf(() => parseConfigObject(raw))).toBe(message);
  });

  it("are documented in the usage text", () => {
    expect(usage).toContain("--cors-origin");
    expect(usage).toContain("GITPOD_CORS_ORIGINS");
  });
});
