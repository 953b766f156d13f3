// The declarative description of one configurable setting, and its gitpod.v1 schema message.
// provider-schemas.ts describes each runner provider with these; the same descriptions are sent by
// GetRunnerConfigurationSchema and drive the validation of environment classes
// (configuration-validation.ts), so what the schema says is exactly what is accepted.
import { create } from "@bufbuild/protobuf";
import {
  RunnerConfigurationSchema_FieldSchema,
  type RunnerConfigurationSchema_Field,
} from "@gitpod-connect/schema/gitpod/v1/runner_configuration";

/** One choice of an enum setting: `value` is what a configuration stores (and the choice's title). */
export interface EnumOption {
  value: string;
  subtitle?: string;
  detail?: string;
}

export type FieldType =
  | { kind: "string"; default?: string; /** Must match the whole value. */ pattern?: string }
  | { kind: "bool"; default?: boolean }
  | { kind: "int"; min: number; max: number; default?: number }
  | { kind: "enum"; options: readonly EnumOption[]; default?: string }
  /** Shown to the user, never set by one. */
  | { kind: "display"; default?: string };

export interface FieldSpec {
  /** The configuration key. */
  id: string;
  name: string;
  description: string;
  required?: boolean;
  secret?: boolean;
  type: FieldType;
}

/** The schema message (RunnerConfigurationSchema.Field) for a field description. */
export function fieldMessage(spec: FieldSpec): RunnerConfigurationSchema_Field {
  const base = {
    id: spec.id,
    name: spec.name,
    description: spec.description,
    required: spec.required ?? false,
    secret: spec.secret ?? false,
  };
  const t = spec.type;
  switch (t.kind) {
    case "string":
      return create(RunnerConfigurationSchema_FieldSchema, {
        ...base,
        type: { case: "string", value: { default: t.default ?? "", pattern: t.pattern ?? "" } },
      });
    case "bool":
      return create(RunnerConfigurationSchema_FieldSchema, { ...base, type: { case: "bool", value: { default: t.default ?? false } } });
    case "int":
      return create(RunnerConfigurationSchema_FieldSchema, {
        ...base,
        type: { case: "int", value: { default: t.default ?? 0, min: t.min, max: t.max } },
      });
    case "enum": {
      const choice = (o: EnumOption) => ({ title: o.value, subtitle: o.subtitle ?? "", detail: o.detail ?? "" });
      const def = t.options.find((o) => o.value === t.default);
      return create(RunnerConfigurationSchema_FieldSchema, {
        ...base,
        type: {
          case: "enum",
          value: {
            // eslint-disable-next-line @typescript-eslint/no-deprecated -- old clients still read the bare default
            default: t.default ?? "",
            // eslint-disable-next-line @typescript-eslint/no-deprecated -- old clients still read the bare values
            values: t.options.map((o) => o.value),
            ...(def ? { defaultValue: choice(def) } : {}),
            possibleValues: t.options.map(choice),
          },
        },
      });
    }
    case "display":
      return create(RunnerConfigurationSchema_FieldSchema, { ...base, type: { case: "display", value: { default: t.default ?? "" } } });
  }
}

/** Why `value` is not acceptable for `spec`, or undefined when it is. */
export function fieldValueProblem(spec: FieldSpec, value: string): string | undefined {
  const t = spec.type;
  switch (t.kind) {
    case "string":
      if (spec.required && value.trim() === "") return "must not be empty";
      if (t.pattern && !new RegExp(`^(?:${t.pattern})$`).test(value)) return `must match ${t.pattern}`;
      return undefined;
    case "bool":
      return value === "true" || value === "false" ? undefined : `must be "true" or "false", got ${JSON.stringify(value)}`;
    case "int": {
      if (!/^-?\d+$/.test(value)) return `must be a whole number, got ${JSON.stringify(value)}`;
      const n = Number(value);
      return n < t.min || n > t.max ? `must be between ${t.min} and ${t.max}, got ${value}` : undefined;
    }
    case "enum":
      return t.options.some((o) => o.value === value)
        ? undefined
        : `must be one of ${t.options.map((o) => JSON.stringify(o.value)).join(", ")}, got ${JSON.stringify(value)}`;
    case "display":
      return "is display-only and cannot be set";
  }
}

/** An optional enum setting; the first option is the default unless `defaultValue` says otherwise. */
export function enumField(id: string, name: string, description: string, options: readonly EnumOption[], defaultValue = options[0]?.value): FieldSpec {
  return { id, name, description, type: { kind: "enum", options, ...(defaultValue !== undefined ? { default: defaultValue } : {}) } };
}

/** An optional yes/no setting. */
export function boolField(id: string, name: string, description: string, defaultValue: boolean): FieldSpec {
  return { id, name, description, type: { kind: "bool", default: defaultValue } };
}
