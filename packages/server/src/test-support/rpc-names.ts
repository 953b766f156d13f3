// Where the code of an RPC lives: services/<service folder>/<rpc file>.ts, both names in
// kebab-case, a run of capitals counting as one word:
//   RunnerConfigurationService → runner-configuration     (the "Service" suffix dropped)
//   ListSCMOrganizations       → list-scm-organizations
//   ParseContextURL            → parse-context-url
// The file exports the RPC's handler group under the method's camelCase (local) name, e.g.
// `listSCMOrganizations`.

/** The words of a PascalCase or camelCase name: "ListSCMOrganizations" → List, SCM, Organizations. */
function words(name: string): string[] {
  return name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+|[0-9]+/g) ?? [];
}

/** kebab-case of a PascalCase or camelCase name. */
export function kebabCase(name: string): string {
  return words(name)
    .map((w) => w.toLowerCase())
    .join("-");
}

/** The file (without ".ts") that holds RPC `methodName` (the proto name, e.g. "ListSCMOrganizations"). */
export function rpcFileName(methodName: string): string {
  return kebabCase(methodName);
}

/** The folder of services/ that holds service `serviceName` (e.g. "RunnerService" → "runner"). */
export function serviceFolderName(serviceName: string): string {
  return kebabCase(serviceName.replace(/Service$/, ""));
}
