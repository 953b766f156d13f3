// Everything that makes a proposed environment class acceptable for a runner: its display name,
// its description and its configuration. CreateEnvironmentClass turns the first problem into
// invalid_argument; ValidateRunnerConfiguration reports all of them.
import { create } from "@bufbuild/protobuf";
import type { Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import {
  EnvironmentClassValidationResultSchema,
  type EnvironmentClassValidationResult,
} from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { invalidArgument } from "../../errors.js";
import { configurationProblems, type ConfigurationEntry, type ConfigurationProblem } from "./configuration-validation.js";
import { schemaOf } from "../runners/index.js";

export interface EnvironmentClassProposal {
  displayName: string;
  description: string;
  configuration: readonly ConfigurationEntry[];
}

export interface EnvironmentClassProblems {
  displayName?: string;
  description?: string;
  configuration: ConfigurationProblem[];
}

/** Why a display name or description of `min`–`max` characters is not acceptable, or undefined. */
function textProblem(text: string, min: number, max: number): string | undefined {
  const length = [...text].length;
  if (length < min || length > max) return `must be ${min} to ${max} characters, got ${length}`;
  if (text.trim() !== text) return "must not start or end with white space";
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
  if (/[\u0000-\u001f\u007f]/.test(text)) return "must not contain control characters";
  return undefined;
}

export function displayNameProblem(name: string): string | undefined {
  return textProblem(name, 3, 127);
}

export function descriptionProblem(description: string): string | undefined {
  return textProblem(description, 3, 200);
}

export function environmentClassProblems(runner: Runner, proposal: EnvironmentClassProposal): EnvironmentClassProblems {
  const displayName = displayNameProblem(proposal.displayName);
  const description = descriptionProblem(proposal.description);
  return {
    ...(displayName ? { displayName } : {}),
    ...(description ? { description } : {}),
    configuration: configurationProblems(proposal.configuration, schemaOf(runner).environmentClass),
  };
}

/** Throws invalid_argument naming the first problem's field; returns when there is none. */
export function assertNoProblems(problems: EnvironmentClassProblems): void {
  if (problems.displayName) throw invalidArgument("display_name", problems.displayName);
  if (problems.description) throw invalidArgument("description", problems.description);
  const first = problems.configuration[0];
  if (first) throw invalidArgument(first.field, first.error);
}

/** The ValidateRunnerConfiguration result for these problems. */
export function validationResult(problems: EnvironmentClassProblems): EnvironmentClassValidationResult {
  return create(EnvironmentClassValidationResultSchema, {
    valid: !problems.displayName && !problems.description && problems.configuration.length === 0,
    ...(problems.displayName ? { displayNameError: problems.displayName } : {}),
    ...(problems.description ? { descriptionError: problems.description } : {}),
    configurationErrors: problems.configuration.map((p) => ({ key: p.key, error: p.error })),
  });
}
