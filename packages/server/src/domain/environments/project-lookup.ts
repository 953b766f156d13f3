// Projects as CreateEnvironmentFromProject uses them.
import type { Caller } from "../../auth/caller.js";
import { notFoundAt } from "../../errors.js";
import type { Transaction } from "../../store/store.js";
import { projects, type ProjectRecord } from "./records.js";

/** The caller's organization's project; not_found naming project_id otherwise. */
export async function findProject(tx: Transaction, caller: Caller, projectId: string): Promise<ProjectRecord> {
  const record = await tx.collection(projects).get(projectId, { organizationId: caller.organizationId });
  if (!record) throw notFoundAt("project_id", "project", projectId);
  return record.value;
}

/** What a project is made of, as the config file and the testing controls give it. */
export interface ProjectInput {
  id?: string | undefined;
  name: string;
  environmentClassId?: string | undefined;
  initializer?: unknown;
  automationsFile?: unknown;
  devcontainerFilePath?: string | undefined;
}

/** Adds a project to the organization; returns its id. */
export async function addProject(tx: Transaction, organizationId: string, id: string, input: ProjectInput, defaultClassId: string): Promise<string> {
  await tx.collection(projects).insert({
    id,
    organizationId,
    value: {
      id,
      name: input.name,
      environmentClassId: input.environmentClassId ?? defaultClassId,
      ...(input.initializer !== undefined ? { initializer: input.initializer } : {}),
      ...(input.automationsFile !== undefined ? { automationsFile: input.automationsFile } : {}),
      ...(input.devcontainerFilePath !== undefined ? { devcontainerFilePath: input.devcontainerFilePath } : {}),
    },
  });
  return id;
}
