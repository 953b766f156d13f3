// New service and task records, as CreateService, CreateTask and automations files make them: the
// server sets the id, created_at, creator, the first spec version and an empty status.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  ServicePhase,
  ServiceSchema,
  TaskSchema,
  type ServiceMetadataSchema,
  type ServiceSpecSchema,
  type TaskMetadataSchema,
  type TaskSpecSchema,
} from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import type { Subject } from "@gitpod-connect/schema/gitpod/v1/identity";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import type { Placement, ServiceRecord, TaskRecord } from "./records.js";

export interface NewAutomation {
  id: string;
  placement: Placement;
  creator: Subject;
  now: Timestamp;
  fromAutomationsFile: boolean;
}

export function newServiceRecord(
  base: NewAutomation,
  metadata: MessageInitShape<typeof ServiceMetadataSchema>,
  spec: MessageInitShape<typeof ServiceSpecSchema>,
): ServiceRecord {
  const desiredPhase = spec.desiredPhase || ServicePhase.STOPPED;
  return {
    runnerId: base.placement.runnerId,
    fromAutomationsFile: base.fromAutomationsFile,
    startRequested: desiredPhase === ServicePhase.RUNNING,
    service: create(ServiceSchema, {
      id: base.id,
      environmentId: base.placement.environmentId,
      metadata: { ...metadata, createdAt: base.now, creator: base.creator },
      spec: { ...spec, specVersion: 1n, desiredPhase },
      status: {},
    }),
  };
}

export function newTaskRecord(
  base: NewAutomation,
  metadata: MessageInitShape<typeof TaskMetadataSchema>,
  spec: MessageInitShape<typeof TaskSpecSchema>,
  dependsOn: string[],
): TaskRecord {
  return {
    runnerId: base.placement.runnerId,
    fromAutomationsFile: base.fromAutomationsFile,
    task: create(TaskSchema, {
      id: base.id,
      environmentId: base.placement.environmentId,
      metadata: { ...metadata, createdAt: base.now, creator: base.creator },
      spec,
      dependsOn,
    }),
  };
}
