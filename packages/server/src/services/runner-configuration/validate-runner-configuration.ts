// ValidateRunnerConfiguration: the checks of CreateEnvironmentClass / Create- and
// UpdateSCMIntegration, reported per field instead of failing the call. Nothing is stored.
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers, invalidArgument, notFound } from "../../rpc/index.js";
import { findScmIntegration, normalizeHost, scmIntegrations } from "../../domain/scm/index.js";
import { findOwnRunner } from "../../domain/runners/index.js";
import { environmentClassProblems, validationResult } from "../../domain/environment-classes/index.js";
import { scmProblems, scmValidationResult, type SecretProposal } from "./scm-integration-rules.js";

export const validateRunnerConfiguration = defineHandlers(RunnerConfigurationService, (deps) => ({
  async validateRunnerConfiguration(req, ctx) {
    const caller = callerOf(ctx);
    const { organizationId } = caller;
    const runner = await findOwnRunner(deps.store, deps.clock.nowMs(), caller, req.runnerId);
    const config = req.config;
    switch (config.case) {
      case "environmentClass": {
        const proposed = config.value;
        if (proposed.runnerId !== "" && proposed.runnerId !== req.runnerId)
          throw invalidArgument("environment_class.runner_id", "must be empty or equal to runner_id");
        return { result: { case: "environmentClass", value: validationResult(environmentClassProblems(runner, proposed)) } };
      }
      case "scmIntegration": {
        const v = config.value;
        let existing;
        if (v.id !== "") {
          existing = (await deps.store.collection(scmIntegrations).get(v.id, { organizationId }))?.value.integration;
          if (!existing || existing.runnerId !== runner.runnerId) throw notFound("SCM integration", v.id);
        }
        const s = v.oauthClientSecret;
        const secret: SecretProposal =
          s.case === "oauthPlaintextClientSecret"
            ? { plaintext: s.value }
            : s.case === "oauthEncryptedClientSecret"
              ? { encrypted: s.value }
              : existing?.oauth
                ? { stored: existing.oauth.encryptedClientSecret }
                : undefined;
        const problems = scmProblems(runner, {
          scmId: v.scmId,
          host: v.host,
          oauthClientId: v.oauthClientId ?? "",
          oauthClientSecret: secret,
          pat: v.pat,
          issuerUrl: v.issuerUrl ?? "",
          virtualDirectory: v.virtualDirectory ?? "",
        });
        if (!problems.some((p) => p.group === "host")) {
          const taken = await findScmIntegration(deps.store, { organizationId, runnerId: runner.runnerId, host: v.host });
          if (taken && taken.id !== v.id)
            problems.push({ group: "host", field: "host", error: `this runner already has an SCM integration for ${JSON.stringify(normalizeHost(v.host))}` });
        }
        return { result: { case: "scmIntegration", value: scmValidationResult(problems) } };
      }
      default:
        throw invalidArgument("config", "set environment_class or scm_integration");
    }
  },
}));
