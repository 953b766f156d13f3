// Checks an environment class's configuration (key/value pairs) against the environment_classes
// fields of a runner's schema: every key known and given once, every value valid for its field,
// every required field present.
import { fieldValueProblem, type FieldSpec } from "../runners/index.js";

export interface ConfigurationProblem {
  /** The configuration key the problem is about (FieldValidationError.key). */
  key: string;
  /** The request field path, e.g. `configuration[2].value`, or `configuration` for a missing key. */
  field: string;
  error: string;
}

/** One configuration entry (a gitpod.v1.FieldValue or a plain object). */
export interface ConfigurationEntry {
  key: string;
  value: string;
}

export function configurationProblems(configuration: readonly ConfigurationEntry[], fields: readonly FieldSpec[]): ConfigurationProblem[] {
  const problems: ConfigurationProblem[] = [];
  const byId = new Map(fields.map((f) => [f.id, f]));
  const seen = new Set<string>();
  configuration.forEach(({ key, value }, i) => {
    const spec = byId.get(key);
    if (key === "") {
      problems.push({ key, field: `configuration[${i}].key`, error: "must not be empty" });
    } else if (!spec) {
      const known = fields.map((f) => JSON.stringify(f.id)).join(", ");
      problems.push({ key, field: `configuration[${i}].key`, error: `unknown key ${JSON.stringify(key)}; this runner accepts ${known}` });
    } else if (seen.has(key)) {
      problems.push({ key, field: `configuration[${i}].key`, error: `key ${JSON.stringify(key)} is given more than once` });
    } else {
      const problem = fieldValueProblem(spec, value);
      if (problem) problems.push({ key, field: `configuration[${i}].value`, error: `${key} ${problem}` });
    }
    seen.add(key);
  });
  for (const spec of fields) {
    if (spec.required && !seen.has(spec.id)) {
      problems.push({ key: spec.id, field: "configuration", error: `required key ${JSON.stringify(spec.id)} (${spec.name}) is missing` });
    }
  }
  return problems;
}
