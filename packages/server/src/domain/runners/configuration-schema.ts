// The RunnerConfigurationSchema message of a runner, built from its provider's description.
import { create } from "@bufbuild/protobuf";
import type { Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import {
  RunnerConfigurationSchemaSchema,
  type RunnerConfigurationSchema,
} from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { fieldMessage } from "./field-spec.js";
import { oauthCallbackUrl, providerSchema, type ProviderSchema } from "./provider-schemas.js";

/** The declarative schema `runner` follows. */
export function schemaOf(runner: Runner): ProviderSchema {
  return providerSchema(runner.provider, runner.kind);
}

/** The schema message GetRunnerConfigurationSchema returns for `runner`. */
export function schemaMessage(runner: Runner): RunnerConfigurationSchema {
  const schema = schemaOf(runner);
  return create(RunnerConfigurationSchemaSchema, {
    version: schema.version,
    runnerConfig: schema.runnerConfig.map(fieldMessage),
    environmentClasses: schema.environmentClass.map(fieldMessage),
    scm: schema.scm.map((scm) => ({
      scmId: scm.scmId,
      name: scm.name,
      defaultHosts: [...scm.defaultHosts],
      ...(scm.oauth ? { oauth: { callbackUrl: oauthCallbackUrl } } : {}),
      ...(scm.pat ? { pat: { description: scm.pat.description, docsLink: scm.pat.docsLink } } : {}),
    })),
  });
}
