// The records of environments and of the projects environments can be created from.
import { clone } from "@bufbuild/protobuf";
import { EnvironmentSchema, type Environment } from "@gitpod-connect/schema/gitpod/v1/environment";
import { plainCollection, type CollectionSpec } from "../../store/store.js";

/** A stored environment: the API message plus what the simulated runner keeps about it. */
export interface EnvironmentRecord {
  environment: Environment;
  /** Since when it is idle (it reached STOPPED, or was unarchived while stopped); idle archiving counts from here. */
  idleSinceMs?: number;
  /** The automations file of the project it was created from (gitpod.v1.AutomationsFile, proto JSON). */
  projectAutomationsFile?: unknown;
}

/** Environments, keyed by id; the record's organizationId is metadata.organization_id. */
export const environments: CollectionSpec<EnvironmentRecord> = {
  name: "environments",
  kind: "environment",
  copy: (r) => ({
    environment: clone(EnvironmentSchema, r.environment),
    ...(r.idleSinceMs !== undefined ? { idleSinceMs: r.idleSinceMs } : {}),
    ...(r.projectAutomationsFile !== undefined ? { projectAutomationsFile: structuredClone(r.projectAutomationsFile) } : {}),
  }),
};

/** A project: the defaults CreateEnvironmentFromProject starts an environment with. */
export interface ProjectRecord {
  id: string;
  name: string;
  /** Default environment class of its environments. */
  environmentClassId: string;
  /** gitpod.v1.EnvironmentInitializer, proto JSON; absent: an empty environment. */
  initializer?: unknown;
  /** gitpod.v1.AutomationsFile, proto JSON, applied when an environment of the project starts. */
  automationsFile?: unknown;
  devcontainerFilePath?: string;
}

/** Projects, keyed by id. */
export const projects = plainCollection<ProjectRecord>("projects", "project");

/** Log lines of an environment as its runner wrote them, keyed by the environment id. */
export interface EnvironmentLogRecord {
  lines: string[];
}

export const environmentLogs = plainCollection<EnvironmentLogRecord>("environment_logs", "environment log");
