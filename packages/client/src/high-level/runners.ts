// The runners group, as the API reference arranges it: runners, their policies, and their
// configuration (environment classes, host authentication tokens, SCM and LLM integrations,
// the configuration schema).
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { lister } from "./lister.js";
import type { Services } from "./services.js";

export function runnersApi(s: Services) {
  const run = s.runner;
  const conf = s.runnerConfiguration;
  const methods = RunnerService.method;
  const confMethods = RunnerConfigurationService.method;
  return {
    create: run.createRunner,
    retrieve: run.getRunner,
    list: lister(methods.listRunners, run.listRunners, "runners"),
    update: run.updateRunner,
    delete: run.deleteRunner,
    createRunnerToken: run.createRunnerToken,
    createLogsToken: run.createRunnerLogsToken,
    parseContextURL: run.parseContextURL,
    checkAuthenticationForHost: run.checkAuthenticationForHost,
    checkRepositoryAccess: run.checkRepositoryAccess,
    searchRepositories: lister(methods.searchRepositories, run.searchRepositories, "repositories"),
    listScmOrganizations: lister(methods.listSCMOrganizations, run.listSCMOrganizations, "organizations"),
    policies: {
      create: run.createRunnerPolicy,
      list: lister(methods.listRunnerPolicies, run.listRunnerPolicies, "policies"),
      update: run.updateRunnerPolicy,
      delete: run.deleteRunnerPolicy,
    },
    configurations: {
      validate: conf.validateRunnerConfiguration,
      environmentClasses: {
        create: conf.createEnvironmentClass,
        retrieve: conf.getEnvironmentClass,
        list: lister(confMethods.listEnvironmentClasses, conf.listEnvironmentClasses, "environmentClasses"),
        update: conf.updateEnvironmentClass,
      },
      hostAuthenticationTokens: {
        create: conf.createHostAuthenticationToken,
        retrieve: conf.getHostAuthenticationToken,
        list: lister(confMethods.listHostAuthenticationTokens, conf.listHostAuthenticationTokens, "tokens"),
        update: conf.updateHostAuthenticationToken,
        delete: conf.deleteHostAuthenticationToken,
      },
      schema: {
        retrieve: conf.getRunnerConfigurationSchema,
      },
      scmIntegrations: {
        create: conf.createSCMIntegration,
        retrieve: conf.getSCMIntegration,
        list: lister(confMethods.listSCMIntegrations, conf.listSCMIntegrations, "integrations"),
        update: conf.updateSCMIntegration,
        delete: conf.deleteSCMIntegration,
      },
      llmIntegrations: {
        create: conf.createLLMIntegration,
        retrieve: conf.getLLMIntegration,
        list: lister(confMethods.listLLMIntegrations, conf.listLLMIntegrations, "integrations"),
        update: conf.updateLLMIntegration,
        delete: conf.deleteLLMIntegration,
      },
    },
  };
}

export type RunnersApi = ReturnType<typeof runnersApi>;
