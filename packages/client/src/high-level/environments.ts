// The environments group, as the API reference arranges it: environments, their classes, and
// their automations (services, tasks, task executions), with the waiting helpers.
import type { EnvironmentPhase } from "@gitpod-connect/schema/gitpod/v1/environment";
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import type { ServicePhase, TaskExecutionPhase } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { lister } from "./lister.js";
import type { Services } from "./services.js";
import { waitForPhase, type WaitOptions } from "./wait-for-phase.js";
import { environmentResource, serviceResource, taskExecutionResource } from "./watched-resources.js";

export function environmentsApi(s: Services) {
  const env = s.environment;
  const auto = s.automation;
  const methods = EnvironmentService.method;
  const autoMethods = EnvironmentAutomationService.method;
  return {
    create: env.createEnvironment,
    createFromProject: env.createEnvironmentFromProject,
    retrieve: env.getEnvironment,
    list: lister(methods.listEnvironments, env.listEnvironments, "environments"),
    update: env.updateEnvironment,
    delete: env.deleteEnvironment,
    start: env.startEnvironment,
    stop: env.stopEnvironment,
    markActive: env.markEnvironmentActive,
    archive: env.archiveEnvironment,
    unarchive: env.unarchiveEnvironment,
    createLogsToken: env.createEnvironmentLogsToken,
    createEnvironmentToken: env.createEnvironmentAccessToken,
    createPortAccessToken: env.createPortAccessToken,
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- deprecated in the API, still served: every RPC has its place here
    allowPortAccess: env.allowPortAccess,
    /**
     * Resolves with the environment once it is in `phase` (or one of them); a wait for DELETED
     * of one already removed resolves with its last state read (or just its id), as DELETED. Rejects with
     * ResourceFailedError, UnreachablePhaseError or WaitTimeoutError (see WaitOptions).
     */
    waitForPhase: (environmentId: string, phase: EnvironmentPhase | readonly EnvironmentPhase[], options?: WaitOptions) =>
      waitForPhase(s, environmentResource, environmentId, phase, options),
    classes: {
      list: lister(methods.listEnvironmentClasses, env.listEnvironmentClasses, "environmentClasses"),
    },
    automations: {
      upsert: auto.upsertAutomationsFile,
      services: {
        create: auto.createService,
        retrieve: auto.getService,
        list: lister(autoMethods.listServices, auto.listServices, "services"),
        update: auto.updateService,
        delete: auto.deleteService,
        start: auto.startService,
        stop: auto.stopService,
        /** Resolves with the service once it is in `phase` (or one of them). */
        waitForPhase: (serviceId: string, phase: ServicePhase | readonly ServicePhase[], options?: WaitOptions) =>
          waitForPhase(s, serviceResource, serviceId, phase, options),
      },
      tasks: {
        create: auto.createTask,
        retrieve: auto.getTask,
        list: lister(autoMethods.listTasks, auto.listTasks, "tasks"),
        update: auto.updateTask,
        delete: auto.deleteTask,
        start: auto.startTask,
        executions: {
          retrieve: auto.getTaskExecution,
          list: lister(autoMethods.listTaskExecutions, auto.listTaskExecutions, "taskExecutions"),
          stop: auto.stopTaskExecution,
          /** Resolves with the execution once it is in `phase` (or one of them). */
          waitForPhase: (taskExecutionId: string, phase: TaskExecutionPhase | readonly TaskExecutionPhase[], options?: WaitOptions) =>
            waitForPhase(s, taskExecutionResource, taskExecutionId, phase, options),
        },
      },
    },
  };
}

export type EnvironmentsApi = ReturnType<typeof environmentsApi>;
