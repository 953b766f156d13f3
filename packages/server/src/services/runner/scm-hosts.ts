// Which SCM system serves a host, as a runner sees it: the SCM integration configured for (runner,
// host) when there is one, else the SCM system whose default host it is (github.com, gitlab.com,
// bitbucket.org, dev.azure.com). Any other host is unknown to the runner: failed_precondition,
// since an SCM integration has to be added first.
import type { Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import type { SCMIntegration } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { failedPrecondition } from "../../errors.js";
import type { Transaction } from "../../store/store.js";
import { schemaOf } from "../../domain/runners/index.js";
import { findScmIntegration, normalizeHost } from "../../domain/scm/index.js";
import type { ScmSpec } from "../../domain/runners/index.js";

export interface ScmHost {
  /** Normalized: lower case, port kept. */
  host: string;
  /** e.g. "github". */
  scmId: string;
  /** e.g. "GitHub". */
  name: string;
  /** What the runner's configuration schema says about this SCM system, when it lists it. */
  spec?: ScmSpec;
  /** The SCM integration of (runner, host), if configured. */
  integration?: SCMIntegration;
}

/** The SCM system serving `host` for `runner`, or undefined when the runner does not know the host. */
export async function resolveScmHost(tx: Transaction, organizationId: string, runner: Runner, host: string): Promise<ScmHost | undefined> {
  const h = normalizeHost(host);
  const systems = schemaOf(runner).scm;
  const integration = await findScmIntegration(tx, { organizationId, runnerId: runner.runnerId, host: h });
  if (integration) {
    const spec = systems.find((s) => s.scmId === integration.scmId);
    return { host: h, scmId: integration.scmId, name: spec?.name ?? integration.scmId, integration, ...(spec ? { spec } : {}) };
  }
  const spec = systems.find((s) => s.defaultHosts.includes(h));
  return spec ? { host: h, scmId: spec.scmId, name: spec.name, spec } : undefined;
}

/** The SCM system serving `host`, or failed_precondition naming the host and the runner. */
export async function requireScmHost(tx: Transaction, organizationId: string, runner: Runner, host: string): Promise<ScmHost> {
  const scm = await resolveScmHost(tx, organizationId, runner, host);
  if (!scm)
    throw failedPrecondition(
      `runner ${JSON.stringify(runner.runnerId)} knows no SCM host ${JSON.stringify(normalizeHost(host))}: ` +
        "add an SCM integration for it (RunnerConfigurationService.CreateSCMIntegration)",
    );
  return scm;
}
