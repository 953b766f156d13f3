// Archiving: a stopped environment can be archived (by the testing controls, or by the simulated
// runner after the idle period); archived environments are left out of default lists until
// UnarchiveEnvironment brings them back. Both are idempotent.
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import type { Environment } from "@gitpod-connect/schema/gitpod/v1/environment";
import { failedPrecondition } from "../../errors.js";
import { isArchived, isStopped } from "./environment-phases.js";

/** Archives `env` (a copy) at `now`; failed_precondition unless it is stopped. Returns whether it changed. */
export function archive(env: Environment, now: Timestamp): boolean {
  if (isArchived(env)) return false;
  if (!isStopped(env)) throw failedPrecondition(`environment ${JSON.stringify(env.id)} must be stopped to be archived`);
  env.metadata!.archivedAt = now;
  return true;
}

/** Unarchives `env` (a copy). Returns whether it changed. */
export function unarchive(env: Environment): boolean {
  if (!isArchived(env)) return false;
  delete env.metadata!.archivedAt;
  return true;
}
