// CreateService: adds a service to an environment that exists and is not being deleted. The
// reference is unique per environment (already_exists, decided atomically); the service is
// STOPPED until started (a desired phase of RUNNING asks for that at once, and needs the
// environment running).
import { EnvironmentAutomationService, ServicePhase, ServiceRoleSchema } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { findChangeableEnvironment } from "../../domain/environments/index.js";
import { assertDefined, checkTriggers, findRunningEnvironment, newServiceRecord, placementOf, serviceRecords } from "../../domain/automations/index.js";
import { callerOf, defineHandlers, invalidArgument } from "../../rpc/index.js";

export const createService = defineHandlers(EnvironmentAutomationService, (deps) => ({
  async createService(req, ctx) {
    const caller = callerOf(ctx);
    const metadata = req.metadata;
    if (!metadata?.reference) throw invalidArgument("metadata.reference", "required");
    if (!metadata.name) throw invalidArgument("metadata.name", "required");
    checkTriggers(metadata.triggeredBy, "metadata.triggered_by");
    assertDefined(ServiceRoleSchema, metadata.role, "metadata.role");
    const spec = req.spec;
    if (!spec?.commands?.start.trim()) throw invalidArgument("spec.commands.start", "required: the command that runs the service");
    const desiredPhase = spec.desiredPhase || ServicePhase.STOPPED;
    if (desiredPhase !== ServicePhase.STOPPED && desiredPhase !== ServicePhase.RUNNING)
      throw invalidArgument("spec.desired_phase", "a new service is SERVICE_PHASE_STOPPED (the default) or SERVICE_PHASE_RUNNING");

    const record = await deps.store.transaction(async (tx) => {
      const env =
        desiredPhase === ServicePhase.RUNNING
          ? await findRunningEnvironment(tx, caller, req.environmentId, "start a service")
          : await findChangeableEnvironment(tx, caller, req.environmentId, "add services to it");
      const value = newServiceRecord(
        { id: deps.ids.newId(), placement: placementOf(env.value.environment), creator: caller.subject, now: deps.clock.now(), fromAutomationsFile: false },
        { reference: metadata.reference, name: metadata.name, description: metadata.description, triggeredBy: metadata.triggeredBy, role: metadata.role },
        {
          desiredPhase,
          commands: spec.commands,
          session: spec.session,
          env: spec.env,
          ...(spec.runsOn ? { runsOn: spec.runsOn } : {}),
          ...(spec.readinessTimeout ? { readinessTimeout: spec.readinessTimeout } : {}),
        },
      );
      await serviceRecords.insert(tx, caller.organizationId, value.service.id, value);
      return value;
    });
    return { service: record.service };
  },
}));
