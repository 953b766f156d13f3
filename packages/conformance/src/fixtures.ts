// What the kit needs to know about a target before any scenario runs, found through the API
// itself: the caller's organization (IdentityService.GetAuthenticatedIdentity) and a runner with
// an enabled environment class (RunnerConfigurationService.ListEnvironmentClasses). A target
// without them cannot run the suite: the run stops with a message saying what is missing.
import type { Transport } from "@connectrpc/connect";
import { ConnectError, createClient } from "@connectrpc/connect";
import { IdentityService } from "@gitpod-connect/schema/gitpod/v1/identity";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { codeName } from "./expect.js";
import type { Fixtures } from "./scenario.js";

/** The run cannot start: the message says why (shown as is, exit code 1). */
export class FixturesError extends Error {
  override readonly name = "FixturesError";
}

function describe(error: unknown): string {
  const e = ConnectError.from(error);
  return `${codeName(e.code)}: ${e.rawMessage}`;
}

/** The organization `transport`'s token belongs to. */
export async function discoverOrganization(transport: Transport, whose: string): Promise<string> {
  try {
    const identity = await createClient(IdentityService, transport).getAuthenticatedIdentity({});
    if (identity.organizationId === "") throw new FixturesError(`${whose}: GetAuthenticatedIdentity answered no organization_id`);
    return identity.organizationId;
  } catch (error) {
    if (error instanceof FixturesError) throw error;
    throw new FixturesError(`${whose}: GetAuthenticatedIdentity failed (${describe(error)})`);
  }
}

/** The caller's organization, and the first enabled environment class with its runner. */
export async function discoverFixtures(transport: Transport): Promise<Fixtures> {
  const organizationId = await discoverOrganization(transport, "--token");
  const configuration = createClient(RunnerConfigurationService, transport);
  let token = "";
  try {
    // At most 20 pages: a target whose page tokens never end must not hang the run here.
    for (let page = 0; page < 20; page++) {
      const response = await configuration.listEnvironmentClasses({ pagination: { pageSize: 100, token } });
      const enabled = response.environmentClasses.find((c) => c.enabled && c.runnerId !== "");
      if (enabled) return { organizationId, runnerId: enabled.runnerId, environmentClassId: enabled.id };
      token = response.pagination?.nextToken ?? "";
      if (token === "") break;
    }
  } catch (error) {
    throw new FixturesError(`--token: ListEnvironmentClasses failed (${describe(error)})`);
  }
  throw new FixturesError(
    `--token: the organization ${organizationId} has no enabled environment class (ListEnvironmentClasses); the suite needs a runner with one to create environments`,
  );
}
