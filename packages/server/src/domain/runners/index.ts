// Runners as every service sees them: the records, finding the runner a call names (and what a
// runner principal may do), its lifecycle, the tokens issued for it, what goes when it is deleted,
// and the configuration schema of its provider.
export * from "./records.js";
export * from "./runner-lookup.js";
export * from "./runner-lifecycle.js";
export * from "./runner-credentials.js";
export { deleteRunnerChildren } from "./runner-children.js";
export { schemaOf, schemaMessage } from "./configuration-schema.js";
export { oauthCallbackUrl, providerSchema, type ProviderSchema, type ScmSpec } from "./provider-schemas.js";
export { fieldValueProblem, type FieldSpec, type FieldType, type EnumOption } from "./field-spec.js";
