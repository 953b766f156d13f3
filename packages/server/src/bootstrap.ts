// The state a fresh server starts with: a bootstrap organization with an admin user (whose token
// is GITPOD_API_KEY or a generated one), one runner in it with one enabled environment class —
// created through the same store and collections the handlers use — and the extra organizations,
// users and tokens of the config. What was created is itself stored (without the admin token, of
// which only the hash is kept), so that a server on a durable store that already holds it resumes
// instead (resumeOrBootstrap): same ids, everything created since kept.
import { create } from "@bufbuild/protobuf";
import { EnvironmentClassSchema } from "@gitpod-connect/schema/gitpod/v1/environment_class";
import { Principal, SubjectSchema } from "@gitpod-connect/schema/gitpod/v1/identity";
import { RunnerKind, RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { RunnerPhase, RunnerSchema } from "@gitpod-connect/schema/gitpod/v1/runner";
import { organizations, users } from "./auth/identity-records.js";
import { newToken } from "./auth/token-store.js";
import { environmentClasses } from "./domain/environment-classes/index.js";
import { addProject } from "./domain/environments/index.js";
import { runners } from "./domain/runners/index.js";
import { plainCollection } from "./store/store.js";
import type { OrganizationConfig, ProjectConfig } from "./config.js";
import type { HandlerDeps } from "./handler-deps.js";

export interface BootstrapOptions {
  /** The admin's token; generated when absent. */
  apiKey?: string;
  organizations?: OrganizationConfig[];
  /** Projects of the bootstrap organization. */
  projects?: ProjectConfig[];
}

export interface BootstrappedUser {
  id: string;
  name: string;
  tokens: string[];
}

export interface BootstrappedOrganization {
  id: string;
  name: string;
  users: BootstrappedUser[];
  /** The ids of its projects, in config order. */
  projects: string[];
}

export interface Bootstrap {
  organizationId: string;
  adminUserId: string;
  /** The admin's bearer token. */
  adminToken: string;
  /** Whether adminToken was generated (and so must be shown to the operator). */
  adminTokenGenerated: boolean;
  runnerId: string;
  environmentClassId: string;
  /** The organizations of the config, with their ids. */
  organizations: BootstrappedOrganization[];
  /** The ids of the bootstrap organization's projects, in config order. */
  projectIds: string[];
}

/** The bootstrap as stored: everything but the admin token. */
type StoredBootstrap = Omit<Bootstrap, "adminToken" | "adminTokenGenerated">;

/** One record, id "bootstrap": what the first start created. */
export const bootstrapState = plainCollection<StoredBootstrap>("server_state", "server state");
const bootstrapStateId = "bootstrap";

/**
 * The bootstrap state the store holds from an earlier start, resumed — the admin token given, or a
 * new one (the earlier one stays valid; only its hash was stored) — or else created anew. The
 * config's organizations, users and projects apply at the first start only.
 */
export async function resumeOrBootstrap(deps: HandlerDeps, options: BootstrapOptions = {}): Promise<Bootstrap & { resumed: boolean }> {
  const stored = await deps.store.collection(bootstrapState).get(bootstrapStateId);
  if (!stored) return { ...(await bootstrap(deps, options)), resumed: false };
  const adminToken = options.apiKey ?? newToken();
  const owner = { organizationId: stored.value.organizationId, subjectId: stored.value.adminUserId, principal: Principal.USER };
  if (!(await deps.tokens.resolve(adminToken))) await deps.tokens.register(adminToken, owner, { description: "bootstrap admin" });
  return { ...stored.value, adminToken, adminTokenGenerated: options.apiKey === undefined, resumed: true };
}

/**
 * Creates the bootstrap state. With `previous` (the testing controls' reset, on an empty store) it
 * recreates the same state with the same ids and admin token.
 */
export async function bootstrap(deps: HandlerDeps, options: BootstrapOptions = {}, previous?: Bootstrap): Promise<Bootstrap> {
  const { store, clock, tokens } = deps;
  const newId = () => deps.ids.newId();
  const organizationId = previous?.organizationId ?? newId();
  const adminUserId = previous?.adminUserId ?? newId();
  const runnerId = previous?.runnerId ?? newId();
  const environmentClassId = previous?.environmentClassId ?? newId();
  const adminToken = options.apiKey ?? previous?.adminToken ?? newToken();
  const now = clock.now();
  const admin = create(SubjectSchema, { id: adminUserId, principal: Principal.USER });

  const extra: BootstrappedOrganization[] = [];
  const projectIds: string[] = [];
  await store.transaction(async (tx) => {
    await tx.collection(organizations).insert({ id: organizationId, organizationId, value: { id: organizationId, name: "Bootstrap" } });
    await tx.collection(users).insert({
      id: adminUserId,
      organizationId,
      value: { id: adminUserId, name: "admin", email: "admin@localhost", admin: true },
    });
    await tokens.register(adminToken, { organizationId, subjectId: adminUserId, principal: Principal.USER }, { description: "bootstrap admin" });
    await tx.collection(runners).insert({
      id: runnerId,
      organizationId,
      value: create(RunnerSchema, {
        runnerId,
        name: "Bootstrap runner",
        createdAt: now,
        updatedAt: now,
        creator: admin,
        kind: RunnerKind.REMOTE,
        provider: RunnerProvider.AWS_EC2,
        spec: { desiredPhase: RunnerPhase.ACTIVE, configuration: { region: "local", autoUpdate: true } },
        status: { updatedAt: now, phase: RunnerPhase.ACTIVE, version: "reference", message: "ready", region: "local" },
      }),
    });
    await tx.collection(environmentClasses).insert({
      id: environmentClassId,
      organizationId,
      value: create(EnvironmentClassSchema, {
        id: environmentClassId,
        runnerId,
        displayName: "Small",
        description: "2 cores, 8 GiB memory, 30 GiB disk",
        configuration: [
          { key: "cpu", value: "2" },
          { key: "memory", value: "8" },
          { key: "disk", value: "30" },
        ],
        enabled: true,
      }),
    });

    for (const [i, org] of (options.organizations ?? []).entries()) {
      const before = previous?.organizations[i];
      const orgId = org.id ?? before?.id ?? newId();
      await tx.collection(organizations).insert({ id: orgId, organizationId: orgId, value: { id: orgId, name: org.name } });
      const created: BootstrappedOrganization = { id: orgId, name: org.name, users: [], projects: [] };
      for (const [j, user] of (org.users ?? []).entries()) {
        const userId = user.id ?? before?.users[j]?.id ?? newId();
        await tx.collection(users).insert({
          id: userId,
          organizationId: orgId,
          value: { id: userId, name: user.name, email: user.email ?? "", admin: user.admin ?? false },
        });
        for (const token of user.tokens ?? []) {
          await tokens.register(token, { organizationId: orgId, subjectId: userId, principal: Principal.USER }, { description: `config user ${user.name}` });
        }
        created.users.push({ id: userId, name: user.name, tokens: [...(user.tokens ?? [])] });
      }
      for (const [j, project] of (org.projects ?? []).entries()) {
        created.projects.push(await addProject(tx, orgId, project.id ?? before?.projects[j] ?? newId(), project, ""));
      }
      extra.push(created);
    }
    for (const [j, project] of (options.projects ?? []).entries()) {
      projectIds.push(await addProject(tx, organizationId, project.id ?? previous?.projectIds[j] ?? newId(), project, environmentClassId));
    }
    const state: StoredBootstrap = { organizationId, adminUserId, runnerId, environmentClassId, organizations: extra, projectIds };
    await tx.collection(bootstrapState).insert({ id: bootstrapStateId, organizationId, value: state });
  });

  return {
    organizationId,
    adminUserId,
    adminToken,
    adminTokenGenerated: previous?.adminTokenGenerated ?? options.apiKey === undefined,
    runnerId,
    environmentClassId,
    organizations: extra,
    projectIds,
  };
}
