// CheckAuthenticationForHost: whether the caller is authenticated with an SCM host through the
// runner, and how it could authenticate — from the caller's host tokens and the runner's SCM
// integrations, never from a real SCM.
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { assertHostName } from "../../domain/scm/index.js";
import { authenticationMethods } from "./authentication-methods.js";
import { isAuthenticatedWithHost } from "./host-credentials.js";
import { findUsableRunner } from "../../domain/runners/index.js";
import { requireScmHost } from "./scm-hosts.js";

export const checkAuthenticationForHost = defineHandlers(RunnerService, (deps) => ({
  async checkAuthenticationForHost(req, ctx) {
    const caller = callerOf(ctx);
    assertHostName(req.host, "host");
    const nowMs = deps.clock.nowMs();
    const runner = await findUsableRunner(deps.store, nowMs, caller, req.runnerId, "check authentication through it");
    const scm = await requireScmHost(deps.store, caller.organizationId, runner, req.host);
    const authenticated = await isAuthenticatedWithHost(deps.store, nowMs, {
      organizationId: caller.organizationId,
      runnerId: runner.runnerId,
      host: scm.host,
      userId: caller.subject.id,
    });
    const methods = authenticationMethods(scm);
    return {
      authenticated,
      scmId: scm.scmId,
      scmName: scm.name,
      ...methods,
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- old clients still read it
      authenticationUrl: methods.supportsOauth2?.authUrl ?? "",
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- old clients still read it
      patSupported: methods.supportsPat !== undefined,
    };
  },
}));
