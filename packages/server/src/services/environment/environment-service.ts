// gitpod.v1.EnvironmentService: all 16 RPCs, one file each (named after the RPC).
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { defineService } from "../../rpc/index.js";
import { allowPortAccess } from "./allow-port-access.js";
import { archiveEnvironment } from "./archive-environment.js";
import { createEnvironmentAccessToken } from "./create-environment-access-token.js";
import { createEnvironmentFromProject } from "./create-environment-from-project.js";
import { createEnvironmentLogsToken } from "./create-environment-logs-token.js";
import { createEnvironment } from "./create-environment.js";
import { createPortAccessToken } from "./create-port-access-token.js";
import { deleteEnvironment } from "./delete-environment.js";
import { getEnvironment } from "./get-environment.js";
import { listEnvironmentClasses } from "./list-environment-classes.js";
import { listEnvironments } from "./list-environments.js";
import { markEnvironmentActive } from "./mark-environment-active.js";
import { startEnvironment } from "./start-environment.js";
import { stopEnvironment } from "./stop-environment.js";
import { unarchiveEnvironment } from "./unarchive-environment.js";
import { updateEnvironment } from "./update-environment.js";

export const environmentService = defineService(
  EnvironmentService,
  getEnvironment,
  listEnvironments,
  listEnvironmentClasses,
  createEnvironment,
  createEnvironmentFromProject,
  startEnvironment,
  stopEnvironment,
  updateEnvironment,
  deleteEnvironment,
  createEnvironmentLogsToken,
  createEnvironmentAccessToken,
  markEnvironmentActive,
  unarchiveEnvironment,
  createPortAccessToken,
  allowPortAccess,
  archiveEnvironment,
);
