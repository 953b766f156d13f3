// A new runner's kind and provider. The provider (the platform) is the preferred field; the kind
// (remote or local) is derived from it. Older clients send only the kind; then the provider stays
// unspecified. Setting both, or neither, is an invalid request.
import { RunnerKind, RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { invalidArgument } from "../../errors.js";

/** The kind each provider implies. LINUX_HOST and DESKTOP_MAC are no longer offered but still accepted. */
const kindOfProvider: Readonly<Record<RunnerProvider, RunnerKind>> = {
  [RunnerProvider.UNSPECIFIED]: RunnerKind.UNSPECIFIED,
  [RunnerProvider.AWS_EC2]: RunnerKind.REMOTE,
  [RunnerProvider.GCP]: RunnerKind.REMOTE,
  [RunnerProvider.MANAGED]: RunnerKind.REMOTE,
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- still accepted from old clients
  [RunnerProvider.LINUX_HOST]: RunnerKind.LOCAL,
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- still accepted from old clients
  [RunnerProvider.DESKTOP_MAC]: RunnerKind.LOCAL,
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the kind local runners are still stored with
  [RunnerProvider.DEV_AGENT]: RunnerKind.LOCAL,
};

export interface KindRequest {
  kind: RunnerKind;
  provider: RunnerProvider;
  runnerManagerId: string;
}

/** The kind and provider a CreateRunner request asks for; throws invalid_argument naming the field. */
export function runnerKindAndProvider(req: KindRequest): { kind: RunnerKind; provider: RunnerProvider } {
  if (req.provider !== RunnerProvider.UNSPECIFIED && req.kind !== RunnerKind.UNSPECIFIED)
    throw invalidArgument("kind", "leave kind unset when provider is set: the kind is derived from the provider");
  if (req.provider === RunnerProvider.UNSPECIFIED && req.kind === RunnerKind.UNSPECIFIED)
    throw invalidArgument("provider", "set provider (preferred) or, for older clients, kind");

  const managed = req.provider === RunnerProvider.MANAGED;
  if (managed && req.runnerManagerId === "")
    throw invalidArgument("runner_manager_id", "must be set for managed runners (RUNNER_PROVIDER_MANAGED)");
  if (!managed && req.runnerManagerId !== "")
    throw invalidArgument("runner_manager_id", "must be empty unless provider is RUNNER_PROVIDER_MANAGED");

  if (req.provider === RunnerProvider.UNSPECIFIED) return { kind: req.kind, provider: RunnerProvider.UNSPECIFIED };
  return { kind: kindOfProvider[req.provider], provider: req.provider };
}
