import { describe, expect, it } from "vitest";
import { hostNameProblem, normalizeHost } from "./host-name.js";

describe("host names", () => {
  it("compare case-insensitively, without surrounding space or a trailing dot", () => {
    expect(normalizeHost(" GitHub.COM. ")).toBe("github.com");
    expect(normalizeHost("Git.Example.com.:8443")).toBe("git.example.com:8443");
  });

  it("accept names with an optional port", () => {
    for (const ok of ["github.com", "gitlab.internal:8443", "localhost", "10.0.0.1", "dev.azure.com"]) expect(hostNameProblem(ok), ok).toBeUndefined();
  });

  it("reject schemes, paths, spaces, bad labels and ports", () => {
    for (const bad of ["", "https://github.com", "github.com/org", "git hub.com", "-a.com", "a..com", "a.com:0", "a.com:70000", "x".repeat(254)])
      expect(hostNameProblem(bad), bad).toBeDefined();
  });
});
