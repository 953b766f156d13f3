// gitpod.v1.EnvironmentAutomationService: all 17 RPCs, each in the file of its name (GetService:
// get-service.ts). The rules live in domain/automations/; the simulated runner's service and
// task-execution drivers carry out what these handlers write into specs.
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { defineService } from "../../rpc/index.js";
import { createService } from "./create-service.js";
import { createTask } from "./create-task.js";
import { deleteService } from "./delete-service.js";
import { deleteTask } from "./delete-task.js";
import { getService } from "./get-service.js";
import { getTaskExecution } from "./get-task-execution.js";
import { getTask } from "./get-task.js";
import { listServices } from "./list-services.js";
import { listTaskExecutions } from "./list-task-executions.js";
import { listTasks } from "./list-tasks.js";
import { startService } from "./start-service.js";
import { startTask } from "./start-task.js";
import { stopService } from "./stop-service.js";
import { stopTaskExecution } from "./stop-task-execution.js";
import { updateService } from "./update-service.js";
import { updateTask } from "./update-task.js";
import { upsertAutomationsFile } from "./upsert-automations-file.js";

export const environmentAutomationService = defineService(
  EnvironmentAutomationService,
  createService,
  getService,
  listServices,
  updateService,
  deleteService,
  startService,
  stopService,
  upsertAutomationsFile,
  createTask,
  getTask,
  listTasks,
  updateTask,
  deleteTask,
  startTask,
  listTaskExecutions,
  getTaskExecution,
  stopTaskExecution,
);
