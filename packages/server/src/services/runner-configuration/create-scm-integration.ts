// CreateSCMIntegration: a runner's OAuth app and/or personal-access-token settings for one SCM
// host, checked by scm-integration-rules.ts.
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { insertScmIntegration } from "../../domain/scm/index.js";
import { findUsableRunner } from "../../domain/runners/index.js";
import { assertNoScmProblems, scmProblems, type ScmProposal } from "./scm-integration-rules.js";
import { integrationFrom } from "./scm-integration-records.js";

export const createSCMIntegration = defineHandlers(RunnerConfigurationService, (deps) => ({
  async createSCMIntegration(req, ctx) {
    const caller = callerOf(ctx);
    const proposal: ScmProposal = {
      scmId: req.scmId,
      host: req.host,
      oauthClientId: req.oauthClientId ?? "",
      oauthClientSecret: req.oauthPlaintextClientSecret === undefined ? undefined : { plaintext: req.oauthPlaintextClientSecret },
      pat: req.pat,
      issuerUrl: req.issuerUrl ?? "",
      virtualDirectory: req.virtualDirectory ?? "",
    };
    const id = deps.ids.newId();
    await deps.store.transaction(async (tx) => {
      const runner = await findUsableRunner(tx, deps.clock.nowMs(), caller, req.runnerId, "configure it any more");
      assertNoScmProblems(scmProblems(runner, proposal));
      await insertScmIntegration(tx, caller.organizationId, integrationFrom(runner, id, proposal));
    });
    return { id };
  },
}));
