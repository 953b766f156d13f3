// gitpod.v1.RunnerConfigurationService: all 21 RPCs, each in the file of its name
// (GetSCMIntegration: get-scm-integration.ts).
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { defineService } from "../../rpc/index.js";
import { createEnvironmentClass } from "./create-environment-class.js";
import { createHostAuthenticationToken } from "./create-host-authentication-token.js";
import { createLLMIntegration } from "./create-llm-integration.js";
import { createSCMIntegration } from "./create-scm-integration.js";
import { deleteHostAuthenticationToken } from "./delete-host-authentication-token.js";
import { deleteLLMIntegration } from "./delete-llm-integration.js";
import { deleteSCMIntegration } from "./delete-scm-integration.js";
import { getEnvironmentClass } from "./get-environment-class.js";
import { getHostAuthenticationToken } from "./get-host-authentication-token.js";
import { getLLMIntegration } from "./get-llm-integration.js";
import { getRunnerConfigurationSchema } from "./get-runner-configuration-schema.js";
import { getSCMIntegration } from "./get-scm-integration.js";
import { listEnvironmentClasses } from "./list-environment-classes.js";
import { listHostAuthenticationTokens } from "./list-host-authentication-tokens.js";
import { listLLMIntegrations } from "./list-llm-integrations.js";
import { listSCMIntegrations } from "./list-scm-integrations.js";
import { updateEnvironmentClass } from "./update-environment-class.js";
import { updateHostAuthenticationToken } from "./update-host-authentication-token.js";
import { updateLLMIntegration } from "./update-llm-integration.js";
import { updateSCMIntegration } from "./update-scm-integration.js";
import { validateRunnerConfiguration } from "./validate-runner-configuration.js";

export const runnerConfigurationService = defineService(
  RunnerConfigurationService,
  createHostAuthenticationToken,
  getHostAuthenticationToken,
  listHostAuthenticationTokens,
  updateHostAuthenticationToken,
  deleteHostAuthenticationToken,
  getRunnerConfigurationSchema,
  createSCMIntegration,
  getSCMIntegration,
  listSCMIntegrations,
  updateSCMIntegration,
  deleteSCMIntegration,
  createEnvironmentClass,
  getEnvironmentClass,
  listEnvironmentClasses,
  updateEnvironmentClass,
  validateRunnerConfiguration,
  createLLMIntegration,
  getLLMIntegration,
  listLLMIntegrations,
  updateLLMIntegration,
  deleteLLMIntegration,
);
