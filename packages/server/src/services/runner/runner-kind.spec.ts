import { RunnerKind, RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { describe, expect, it } from "vitest";
import { runnerKindAndProvider } from "./runner-kind.js";

const managerId = "00000000-0000-4000-8000-00000000abcd";

describe("runnerKindAndProvider", () => {
  it.each([
    [RunnerProvider.AWS_EC2, RunnerKind.REMOTE],
    [RunnerProvider.GCP, RunnerKind.REMOTE],
    [RunnerProvider.LINUX_HOST, RunnerKind.LOCAL],
    [RunnerProvider.DESKTOP_MAC, RunnerKind.LOCAL],
    [RunnerProvider.DEV_AGENT, RunnerKind.LOCAL],
  ])("derives the kind of provider %i as %i", (provider, kind) => {
    expect(runnerKindAndProvider({ provider, kind: RunnerKind.UNSPECIFIED, runnerManagerId: "" })).toEqual({ kind, provider });
  });

  it("derives a remote kind for a managed runner with its runner manager", () => {
    expect(runnerKindAndProvider({ provider: RunnerProvider.MANAGED, kind: RunnerKind.UNSPECIFIED, runnerManagerId: managerId })).toEqual({
      kind: RunnerKind.REMOTE,
      provider: RunnerProvider.MANAGED,
    });
  });

  it.each([RunnerKind.REMOTE, RunnerKind.LOCAL, RunnerKind.LOCAL_CONFIGURATION])("keeps a legacy kind %i without a provider", (kind) => {
    expect(runnerKindAndProvider({ provider: RunnerProvider.UNSPECIFIED, kind, runnerManagerId: "" })).toEqual({ kind, provider: RunnerProvider.UNSPECIFIED });
  });

  it.each([
    [{ provider: RunnerProvider.AWS_EC2, kind: RunnerKind.REMOTE, runnerManagerId: "" }, "kind:"],
    [{ provider: RunnerProvider.UNSPECIFIED, kind: RunnerKind.UNSPECIFIED, runnerManagerId: "" }, "provider:"],
    [{ provider: RunnerProvider.MANAGED, kind: RunnerKind.UNSPECIFIED, runnerManagerId: "" }, "runner_manager_id:"],
    [{ provider: RunnerProvider.GCP, kind: RunnerKind.UNSPECIFIED, runnerManagerId: managerId }, "runner_manager_id:"],
    [{ provider: RunnerProvider.UNSPECIFIED, kind: RunnerKind.REMOTE, runnerManagerId: managerId }, "runner_manager_id:"],
  ])("rejects %o naming the field", (req, field) => {
    expect(() => runnerKindAndProvider(req)).toThrow(field);
  });
});
