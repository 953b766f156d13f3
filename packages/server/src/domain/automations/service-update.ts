// UpdateService's changes to a service record: only the fields set. Metadata may change any time;
// a spec change needs the service at rest (never started, STOPPED or FAILED, no start pending) and
// increments spec_version; the status may only be reported by the environment that runs the
// service (an environment principal for that environment).
import { clone, create, equals } from "@bufbuild/protobuf";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import {
  ServicePhaseSchema,
  ServiceRoleSchema,
  ServiceSpecSchema,
  ServiceSpec_CommandsSchema,
  ServiceStatusSchema,
  type UpdateServiceRequest,
} from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import type { Caller } from "../../auth/caller.js";
import { failedPrecondition, invalidArgument, permissionDenied } from "../../errors.js";
import { assertDefined, enumName } from "./enum-values.js";
import type { ServiceRecord } from "./records.js";
import { isAtRest, isBeingDeleted } from "./service-lifecycle.js";
import { checkTriggers } from "./triggers.js";

/** Applies the update to `record` (a copy the caller writes back). */
export function applyServiceUpdate(record: ServiceRecord, req: UpdateServiceRequest, caller: Caller): void {
  const service = record.service;
  if (req.status && !(caller.subject.principal === Principal.ENVIRONMENT && caller.subject.id === service.environmentId))
    throw permissionDenied("status: only the environment that runs the service may report its status");

  const m = req.metadata;
  if (m) {
    const metadata = service.metadata!;
    if (m.name !== undefined) metadata.name = m.name;
    if (m.description !== undefined) metadata.description = m.description;
    if (m.triggeredBy) {
      checkTriggers(m.triggeredBy.trigger, "metadata.triggered_by.trigger");
      metadata.triggeredBy = m.triggeredBy.trigger;
    }
    if (m.role !== undefined) {
      assertDefined(ServiceRoleSchema, m.role, "metadata.role");
      metadata.role = m.role;
    }
  }

  if (req.spec) {
    const current = service.spec!;
    const next = clone(ServiceSpecSchema, current);
    const c = req.spec.commands;
    if (c) {
      const commands = (next.commands ??= create(ServiceSpec_CommandsSchema));
      if (c.start !== undefined) {
        if (c.start.trim() === "") throw invalidArgument("spec.commands.start", "must not be empty");
        commands.start = c.start;
      }
      if (c.ready !== undefined) commands.ready = c.ready;
      if (c.stop !== undefined) commands.stop = c.stop;
    }
    if (req.spec.runsOn) next.runsOn = req.spec.runsOn;
    if (req.spec.env.length > 0) next.env = req.spec.env;
    if (req.spec.readinessTimeout) next.readinessTimeout = req.spec.readinessTimeout;
    if (!equals(ServiceSpecSchema, current, next)) {
      const phase = enumName(ServicePhaseSchema, service.status?.phase ?? 0);
      if (isBeingDeleted(record)) throw failedPrecondition(`service ${JSON.stringify(service.id)} is being deleted`);
      if (!isAtRest(record)) throw failedPrecondition(`service ${JSON.stringify(service.id)} is not stopped (${phase}); stop it before changing its spec`);
      next.specVersion += 1n;
      service.spec = next;
    }
  }

  const s = req.status;
  if (s) {
    const status = (service.status ??= create(ServiceStatusSchema));
    const before = clone(ServiceStatusSchema, status);
    if (s.phase !== undefined) status.phase = s.phase;
    if (s.failureMessage !== undefined) status.failureMessage = s.failureMessage;
    if (s.logUrl !== undefined) status.logUrl = s.logUrl;
    if (s.session !== undefined) status.session = s.session;
    for (const [key, value] of Object.entries(s.output)) {
      // The rules of ServiceStatus.output, which the request's own map does not carry.
      if (key.length < 1 || key.length > 128) throw invalidArgument(`status.output[${JSON.stringify(key)}]`, "keys have 1 to 128 characters");
      if (value.length > 4096) throw invalidArgument(`status.output[${JSON.stringify(key)}]`, "values have at most 4096 characters");
      if (value === "") delete status.output[key];
      else status.output[key] = value;
    }
    if (!equals(ServiceStatusSchema, before, status)) {
      status.statusVersion += 1n;
      // The environment reported where the service stands: the simulated runner goes on from there.
      if (s.phase !== undefined) {
        delete record.starting;
        record.startRequested = false;
      }
    }
  }
}
