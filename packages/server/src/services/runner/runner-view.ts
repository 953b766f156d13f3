// A runner as every response shows it (CreateRunner, GetRunner, ListRunners).
import { clone } from "@bufbuild/protobuf";
import { RunnerSchema, type Runner } from "@gitpod-connect/schema/gitpod/v1/runner";

/**
 * A runner as every response shows it: the metrics password is write-only (it is kept for the
 * runner's metrics export, but no RPC returns it — not to members, not to the runner itself).
 */
export function runnerView(runner: Runner): Runner {
  const view = clone(RunnerSchema, runner);
  const metrics = view.spec?.configuration?.metrics;
  if (metrics) metrics.password = "";
  return view;
}
