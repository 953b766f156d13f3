import { describe, expect, it } from "vitest";
import { parseOptions, UsageError } from "../src/cli-options.js";
import { main, type CliIo } from "../src/main.js";

const base = ["--url", "http://127.0.0.1:1", "--token", "t"];

function usageError(argv: string[], files: Record<string, string> = {}): string {
  try {
    parseOptions(argv, (f) => {
      const text = files[f];
      if (text === undefined) throw new Error("ENOENT");
      return text;
    });
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error("parsed without a usage error");
}

function captured(): CliIo & { text: () => string } {
  let text = "";
  return { out: (t) => (text += `${t}\n`), err: (t) => (text += `${t}\n`), text: () => text };
}

describe("command line", () => {
  it("takes the defaults: all four protocols, concurrency 4, no second organization, no testing controls", () => {
    const options = parseOptions(base);
    expect(options).toMatchObject({ url: "http://127.0.0.1:1", token: "t", protocols: ["connect-json", "connect-binary", "grpc-web", "grpc"], concurrency: 4, only: [], skip: [] });
    expect(options.secondToken).toBeUndefined();
    expect(options.testingToken).toBeUndefined();
  });

  it("reads every flag, repeatable --only and --skip, and --flag=value", () => {
    const options = parseOptions([
      ...base,
      "--protocols=grpc,connect-json",
      "--second-token",
      "t2",
      "--testing-url",
      "http://127.0.0.1:2/",
      "--testing-token",
      "tt",
      "--only",
      "EnvironmentService",
      "--only",
      "RunnerService.GetRunner",
      "--skip",
      "EnvironmentService.GetEnvironment/",
      "--deviations",
      "d.json",
      "--report-json",
      "r.json",
      "--report-junit",
      "r.xml",
      "--concurrency",
      "2",
    ]);
    expect(options).toMatchObject({
      protocols: ["connect-json", "grpc"],
      secondToken: "t2",
      testingUrl: "http://127.0.0.1:2",
      testingToken: "tt",
      only: ["EnvironmentService", "RunnerService.GetRunner"],
      skip: ["EnvironmentService.GetEnvironment/"],
      deviationsFile: "d.json",
      reportJson: "r.json",
      reportJunit: "r.xml",
      concurrency: 2,
    });
  });

  it("reads a target file, and flags win over it", () => {
    const files = { "t.json": JSON.stringify({ url: "http://h:1", token: "file-token", protocols: ["grpc"], secondToken: "s", only: ["A"] }) };
    const options = parseOptions(["--target", "t.json", "--token", "flag-token", "--only", "B"], (f) => files[f as keyof typeof files]);
    expect(options).toMatchObject({ url: "http://h:1", token: "flag-token", protocols: ["grpc"], secondToken: "s", only: ["A", "B"] });
  });

  it.each([
    [["--token", "t"], /^--url: required/],
    [["--url", "http://h:1"], /^--token: required/],
    [[...base, "--frobnicate"], /^--frobnicate: unknown flag/],
    [[...base, "--protocols", "grpc,soap"], /^--protocols: unknown protocol "soap"/],
    [[...base, "--concurrency", "0"], /^--concurrency: expected a whole number/],
    [[...base, "--url", "ftp://h"], /^--url: "ftp:\/\/h" must be http/],
    [["--url", "nope", "--token", "t"], /^--url: "nope" is not a URL/],
    [[...base, "--only"], /^--only: needs a value/],
    [[...base, "--second-token", "t"], /^--second-token: must be another organization's user/],
    [["--target", "missing.json"], /^--target: cannot read missing.json/],
  ])("rejects %j naming the flag", (argv, message) => {
    expect(usageError(argv)).toMatch(message);
  });

  it("rejects a target file's unknown key, naming it", () => {
    expect(usageError(["--target", "t.json"], { "t.json": '{"url":"http://h:1","token":"t","tokn":"x"}' })).toMatch(/--target: t.json: unknown key "tokn"/);
  });

  it("exits 2 on a usage error and says which flag", async () => {
    const io = captured();
    expect(await main(["--url", "http://h:1", "--token", "t", "--protocol", "grpc"], io, [])).toBe(2);
    expect(io.text()).toContain("--protocol: unknown flag");
  });

  it("prints the help and exits 0", async () => {
    const io = captured();
    expect(await main(["--help"], io, [])).toBe(0);
    expect(io.text()).toContain("--deviations FILE");
  });

  it("lists the kit's scenarios per service without a target", async () => {
    const io = captured();
    expect(await main(["--list", "--protocols", "connect-json,grpc"], io)).toBe(0);
    expect(io.text()).toMatch(/Kit \(\d+\)/);
    expect(io.text()).toMatch(/\d+ scenarios of \d+ RPCs in \d+ services; × 2 protocols/);
  });
});
