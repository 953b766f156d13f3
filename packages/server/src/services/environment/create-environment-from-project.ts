// CreateEnvironmentFromProject: a new environment with the project's settings (environment class,
// content initializer, dev container file, automations file); what the request's spec sets wins.
import { clone, create, fromJson } from "@bufbuild/protobuf";
import {
  EnvironmentInitializerSchema,
  EnvironmentService,
  EnvironmentSpecSchema,
  EnvironmentSpec_ContentSchema,
  EnvironmentSpec_DevContainerSchema,
  EnvironmentSpec_MachineSchema,
} from "@gitpod-connect/schema/gitpod/v1/environment";
import { createEnvironment, findProject } from "../../domain/environments/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const createEnvironmentFromProject = defineHandlers(EnvironmentService, (deps) => ({
  async createEnvironmentFromProject(req, ctx) {
    const caller = callerOf(ctx);
    const environment = await deps.store.transaction(async (tx) => {
      const project = await findProject(tx, caller, req.projectId);
      const spec = req.spec ? clone(EnvironmentSpecSchema, req.spec) : create(EnvironmentSpecSchema);
      const machine = (spec.machine ??= create(EnvironmentSpec_MachineSchema));
      machine.class ||= project.environmentClassId;
      if (!spec.content?.initializer && project.initializer !== undefined)
        (spec.content ??= create(EnvironmentSpec_ContentSchema)).initializer = fromJson(EnvironmentInitializerSchema, project.initializer as never);
      if (!spec.devcontainer?.devcontainerFilePath && project.devcontainerFilePath)
        (spec.devcontainer ??= create(EnvironmentSpec_DevContainerSchema)).devcontainerFilePath = project.devcontainerFilePath;
      return createEnvironment(tx, deps, caller, {
        spec,
        name: req.name ?? project.name,
        sessionId: req.sessionId,
        annotations: req.annotations,
        projectId: project.id,
        ...(project.automationsFile !== undefined ? { projectAutomationsFile: project.automationsFile } : {}),
      });
    });
    return { environment };
  },
}));
