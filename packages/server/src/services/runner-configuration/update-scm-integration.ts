// UpdateSCMIntegration: changes an SCM integration's OAuth and PAT settings; host tokens of a way
// of authenticating that is switched off are deleted.
import { HostAuthenticationTokenSource, RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { scmIntegrations } from "../../domain/scm/index.js";
import { findRunner } from "../../domain/runners/index.js";
import { assertNoScmProblems, scmProblems, type ScmProposal } from "./scm-integration-rules.js";
import { deleteHostTokens, integrationFrom, visibleIntegration } from "./scm-integration-records.js";

export const updateSCMIntegration = defineHandlers(RunnerConfigurationService, (deps) => ({
  async updateSCMIntegration(req, ctx) {
    const caller = callerOf(ctx);
    const { organizationId } = caller;
    await deps.store.transaction(async (tx) => {
      const current = await visibleIntegration(tx, caller, req.id);
      const runner = (await findRunner(tx, deps.clock.nowMs(), organizationId, current.runnerId)).value;
      // An empty client ID removes OAuth altogether, whatever else is sent for it.
      const clientId = req.oauthClientId ?? current.oauth?.clientId ?? "";
      const oauthRemoved = req.oauthClientId === "";
      const proposal: ScmProposal = {
        scmId: current.scmId,
        host: current.host,
        oauthClientId: clientId,
        oauthClientSecret: oauthRemoved
          ? undefined
          : req.oauthPlaintextClientSecret !== undefined
            ? { plaintext: req.oauthPlaintextClientSecret }
            : current.oauth
              ? { stored: current.oauth.encryptedClientSecret }
              : undefined,
        pat: req.pat ?? current.pat,
        issuerUrl: oauthRemoved ? "" : (req.issuerUrl ?? current.oauth?.issuerUrl ?? ""),
        virtualDirectory: req.virtualDirectory ?? current.virtualDirectory ?? "",
      };
      assertNoScmProblems(scmProblems(runner, proposal));
      const next = integrationFrom(runner, current.id, proposal);
      // Runner and host never change, so the integration's key stays as it is.
      await tx.collection(scmIntegrations).update(req.id, { integration: next }, { organizationId });
      const revoked: HostAuthenticationTokenSource[] = [];
      if (current.oauth && !next.oauth) revoked.push(HostAuthenticationTokenSource.OAUTH);
      if (current.pat && !next.pat) revoked.push(HostAuthenticationTokenSource.PAT);
      if (revoked.length > 0) await deleteHostTokens(tx, organizationId, current, revoked);
    });
    return {};
  },
}));
