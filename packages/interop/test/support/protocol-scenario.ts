// The protocol matrix's scenario: every RPC of the schema with a success, in an order that works
// (after packages/client/test/every-rpc.spec.ts): runners, their policies and configuration, SCM
// access, environments with their tokens and ports, automations, events, identity, a project. The
// simulated runner moves lifecycles only when the scenario moves the server's manual clock, so the
// same steps give the same state on every server. The end state serves the error table
// (protocol-errors.ts): a second runner token, and a stopped environment with a service and a task.
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  AdmissionLevel,
  EnvironmentPhase,
  EnvironmentService,
  ListEnvironmentsRequest_ArchivalStatus as ArchivalStatus,
} from "@gitpod-connect/schema/gitpod/v1/environment";
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { EventService, ResourceOperation, ResourceType } from "@gitpod-connect/schema/gitpod/v1/event";
import { IdentityService } from "@gitpod-connect/schema/gitpod/v1/identity";
import { LLMIntegrationPhase, SupportedModel } from "@gitpod-connect/schema/gitpod/v1/model";
import { RunnerReleaseChannel, RunnerRole, RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { HostAuthenticationTokenSource, RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { projectId, stepDelayMs } from "./protocol-peer.js";
import { advance, call, watch, type ScenarioContext, type Step } from "./protocol-steps.js";

const env = EnvironmentService.method;
const automation = EnvironmentAutomationService.method;
const runners = RunnerService.method;
const config = RunnerConfigurationService.method;

/** A self-hosted GitLab, known to the runner only through its SCM integration. */
export const scmHost = "git.example.com";
const groupId = "3f0c2b1a-6d5e-4f7a-8b9c-0d1e2f3a4b5c";
const contextUrl = "https://github.com/gitpod-io/gitpod/tree/main";
/** Steps of the simulated runner from CreateEnvironment to RUNNING (server README). */
const stepsToRunning = 10;
const steps = (n: number) => advance(n * stepDelayMs);

const runner1 = (ctx: ScenarioContext) => ctx.get("runner1");
const envA = (ctx: ScenarioContext) => ctx.get("envA");
const envB = (ctx: ScenarioContext) => ctx.get("envB");

const runnerSteps: Step[] = [
  call(IdentityService.method.getAuthenticatedIdentity)(() => ({})),
  call(runners.createRunner)(() => ({
      name: "matrix runner",
      provider: RunnerProvider.AWS_EC2,
      spec: { configuration: { region: "eu-central-1", releaseChannel: RunnerReleaseChannel.STABLE, autoUpdate: true } },
    }),
    { save: (res, ctx) => ctx.set("runner1", res.runner?.runnerId) },
  ),
  call(runners.getRunner)((ctx) => ({ runnerId: runner1(ctx) })),
  call(runners.listRunners)(() => ({})),
  call(runners.listRunners)(() => ({ pagination: { pageSize: 1 } }), { save: (res, ctx) => ctx.set("runnersPage2", res.pagination?.nextToken) }),
  call(runners.listRunners)((ctx) => ({ pagination: { pageSize: 1, token: ctx.get("runnersPage2") } })),
  call(runners.updateRunner)((ctx) => ({
    runnerId: runner1(ctx),
    name: "matrix runner, renamed",
    spec: { configuration: { releaseChannel: RunnerReleaseChannel.LATEST } },
  })),
  call(runners.createRunnerToken)((ctx) => ({ runnerId: runner1(ctx) }), { save: (res, ctx) => ctx.set("runnerToken", res.exchangeToken) }),
  call(IdentityService.method.getAuthenticatedIdentity)(() => ({}), { caller: (ctx) => ctx.get("runnerToken") }),
  call(runners.listRunners)(() => ({}), { caller: (ctx) => ctx.get("runnerToken") }),
  call(runners.createRunnerLogsToken)((ctx) => ({ runnerId: runner1(ctx) })),
  call(runners.createRunnerPolicy)((ctx) => ({ runnerId: runner1(ctx), groupId, role: RunnerRole.ADMIN })),
  call(runners.listRunnerPolicies)((ctx) => ({ runnerId: runner1(ctx) })),
  call(runners.updateRunnerPolicy)((ctx) => ({ runnerId: runner1(ctx), groupId, role: RunnerRole.USER })),
  call(runners.deleteRunnerPolicy)((ctx) => ({ runnerId: runner1(ctx), groupId })),
  call(runners.listRunnerPolicies)((ctx) => ({ runnerId: runner1(ctx) })),
];

const proposal = (ctx: ScenarioContext) => ({
  runnerId: runner1(ctx),
  displayName: "Proposed class",
  description: "4 CPU, 16 GiB",
  configuration: [
    { key: "cpu", value: "4" },
    { key: "memory", value: "16" },
  ],
});

const configurationSteps: Step[] = [
  call(config.getRunnerConfigurationSchema)((ctx) => ({ runnerId: runner1(ctx) })),
  call(config.validateRunnerConfiguration)((ctx) => ({ runnerId: runner1(ctx), config: { case: "environmentClass", value: proposal(ctx) } })),
  call(config.validateRunnerConfiguration)((ctx) => ({
    runnerId: runner1(ctx),
    config: { case: "environmentClass", value: { ...proposal(ctx), configuration: [{ key: "cpu", value: "four" }] } },
  })),
  call(config.validateRunnerConfiguration)((ctx) => ({
    runnerId: runner1(ctx),
    config: { case: "scmIntegration", value: { scmId: "perforce", host: "p4.example.com", pat: true } },
  })),
  call(config.createEnvironmentClass)((ctx) => ({
      runnerId: runner1(ctx),
      displayName: "Large",
      description: "8 CPU, 32 GiB",
      configuration: [
        { key: "cpu", value: "8" },
        { key: "memory", value: "32" },
      ],
    }),
    { save: (res, ctx) => ctx.set("class1", res.id) },
  ),
  call(config.getEnvironmentClass)((ctx) => ({ environmentClassId: ctx.get("class1") })),
  call(config.listEnvironmentClasses)((ctx) => ({ filter: { runnerIds: [runner1(ctx)], enabled: true } })),
  call(config.updateEnvironmentClass)((ctx) => ({ environmentClassId: ctx.get("class1"), displayName: "Large (8 CPU)", description: "8 CPU, 32 GiB RAM" })),
  call(config.getEnvironmentClass)((ctx) => ({ environmentClassId: ctx.get("class1") })),
  call(config.createLLMIntegration)((ctx) => ({ runnerId: runner1(ctx), models: [SupportedModel.SONNET_4_5, SupportedModel.HAIKU_4_5], apiKey: "sk-ant-matrix-0123456789", maxTokens: 8192n }),
    { save: (res, ctx) => ctx.set("llm", res.id) },
  ),
  call(config.getLLMIntegration)((ctx) => ({ id: ctx.get("llm") })),
  call(config.listLLMIntegrations)((ctx) => ({ filter: { runnerIds: [runner1(ctx)] } })),
  call(config.updateLLMIntegration)((ctx) => ({ id: ctx.get("llm"), maxTokens: 4096n, phase: LLMIntegrationPhase.LLM_INTEGRATION_PHASE_DISABLED })),
  call(config.getLLMIntegration)((ctx) => ({ id: ctx.get("llm") })),
  call(config.deleteLLMIntegration)((ctx) => ({ id: ctx.get("llm") })),
  call(config.createSCMIntegration)((ctx) => ({
      runnerId: runner1(ctx),
      scmId: "gitlab",
      host: scmHost,
      oauthClientId: "matrix-client",
      oauthPlaintextClientSecret: "matrix-secret",
      pat: true,
    }),
    { save: (res, ctx) => ctx.set("scm", res.id) },
  ),
  call(config.getSCMIntegration)((ctx) => ({ id: ctx.get("scm") })),
  call(config.listSCMIntegrations)((ctx) => ({ filter: { runnerIds: [runner1(ctx)] } })),
  call(config.updateSCMIntegration)((ctx) => ({ id: ctx.get("scm"), oauthClientId: "matrix-client-2" })),
  call(runners.checkAuthenticationForHost)((ctx) => ({ runnerId: runner1(ctx), host: scmHost })),
  call(config.createHostAuthenticationToken)((ctx) => ({
      runnerId: runner1(ctx),
      host: scmHost,
      token: "glpat-matrix-0000000000",
      source: HostAuthenticationTokenSource.PAT,
      integrationId: ctx.get("scm"),
      scopes: ["read_repository"],
    }),
    { save: (res, ctx) => ctx.set("hostToken", res.token?.id) },
  ),
  call(config.getHostAuthenticationToken)((ctx) => ({ id: ctx.get("hostToken") })),
  call(config.listHostAuthenticationTokens)((ctx) => ({ filter: { runnerId: runner1(ctx) } })),
  call(config.updateHostAuthenticationToken)((ctx) => ({
    id: ctx.get("hostToken"),
    expiresAt: timestampFromMs(Date.UTC(2026, 0, 1)),
    scopes: ["api", "read_repository"],
  })),
  call(runners.checkAuthenticationForHost)((ctx) => ({ runnerId: runner1(ctx), host: scmHost })),
  call(runners.parseContextURL)((ctx) => ({ runnerId: runner1(ctx), contextUrl: `https://${scmHost}/org/repo/-/tree/develop` })),
  call(runners.parseContextURL)((ctx) => ({ runnerId: runner1(ctx), contextUrl: `https://${scmHost}/org/repo/-/merge_requests/1` })),
  call(runners.searchRepositories)((ctx) => ({ runnerId: runner1(ctx), scmHost, searchString: "template", pagination: { pageSize: 1 } }),
    { save: (res, ctx) => ctx.set("searchPage2", res.pagination?.nextToken) },
  ),
  call(runners.searchRepositories)((ctx) => ({ runnerId: runner1(ctx), scmHost, searchString: "template", pagination: { pageSize: 1, token: ctx.get("searchPage2") } })),
  call(runners.listSCMOrganizations)((ctx) => ({ runnerId: runner1(ctx), scmHost, pagination: { pageSize: 2 } }),
    { save: (res, ctx) => ctx.set("orgsPage2", res.pagination?.nextToken) },
  ),
  call(runners.listSCMOrganizations)((ctx) => ({ runnerId: runner1(ctx), scmHost, pagination: { pageSize: 2, token: ctx.get("orgsPage2") } })),
  call(runners.checkRepositoryAccess)((ctx) => ({ runnerId: runner1(ctx), repositoryUrl: `https://${scmHost}/org/repo` })),
  call(runners.checkRepositoryAccess)((ctx) => ({ runnerId: runner1(ctx), repositoryUrl: `https://${scmHost}/org/private-repo` })),
  call(config.deleteHostAuthenticationToken)((ctx) => ({ id: ctx.get("hostToken") })),
  call(config.deleteSCMIntegration)((ctx) => ({ id: ctx.get("scm") })),
  // A second runner, to delete: the first one and its token stay for the error table.
  call(runners.createRunner)(() => ({ name: "matrix runner to delete", provider: RunnerProvider.GCP }), {
    save: (res, ctx) => ctx.set("runner2", res.runner?.runnerId),
  }),
  call(runners.deleteRunner)((ctx) => ({ runnerId: ctx.get("runner2") })),
  call(runners.getRunner)((ctx) => ({ runnerId: ctx.get("runner2") })),
];

const environmentSteps: Step[] = [
  call(env.listEnvironmentClasses)(() => ({ filter: { canCreateEnvironments: true } })),
  call(env.createEnvironment)((ctx) => ({
      name: "matrix",
      spec: {
        machine: { class: ctx.bootstrap.environmentClassId },
        content: { initializer: { specs: [{ spec: { case: "contextUrl", value: { url: contextUrl } } }] } },
        ports: [{ port: 3000, name: "web", admission: AdmissionLevel.ORGANIZATION }],
      },
    }),
    { save: (res, ctx) => ctx.set("envA", res.environment?.id) },
  ),
  call(env.getEnvironment)((ctx) => ({ environmentId: envA(ctx) })),
  steps(stepsToRunning),
  call(env.getEnvironment)((ctx) => ({ environmentId: envA(ctx) })),
  call(env.listEnvironments)(() => ({})),
  call(env.listEnvironments)((ctx) => ({ filter: { statusPhases: [EnvironmentPhase.RUNNING], creatorIds: [ctx.bootstrap.adminUserId] } })),
  call(env.updateEnvironment)((ctx) => ({
    environmentId: envA(ctx),
    // Non-ASCII (2-, 3- and 4-byte UTF-8) in a name every later answer carries.
    metadata: { name: "matrix, renamed — ünïcode ✓ 🚀" },
    spec: { timeout: { disconnected: { seconds: 7200n } } },
  })),
  steps(3),
  call(env.getEnvironment)((ctx) => ({ environmentId: envA(ctx) })),
  call(env.markEnvironmentActive)((ctx) => ({
    environmentId: envA(ctx),
    activitySignal: { source: "VS Code", timestamp: timestampFromMs(Date.UTC(2025, 1, 12, 14, 30)) },
  })),
  call(env.createEnvironmentLogsToken)((ctx) => ({ environmentId: envA(ctx) })),
  call(env.createEnvironmentAccessToken)((ctx) => ({ environmentId: envA(ctx) }), { save: (res, ctx) => ctx.set("envAToken", res.accessToken) }),
  call(env.getEnvironment)((ctx) => ({ environmentId: envA(ctx) }), { caller: (ctx) => ctx.get("envAToken") }),
  call(env.createPortAccessToken)((ctx) => ({ environmentId: envA(ctx), port: 3000 })),
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- AllowPortAccess is an RPC of the schema: the matrix calls every one
  call(env.allowPortAccess)((ctx) => ({ environmentId: envA(ctx), port: 3000 })),
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- as above; an unshared port: allowed false
  call(env.allowPortAccess)((ctx) => ({ environmentId: envA(ctx), port: 8080 })),
];

const automationSteps: Step[] = [
  call(automation.upsertAutomationsFile)((ctx) => ({
      environmentId: envA(ctx),
      automationsFile: {
        services: { docs: { name: "Docs", commands: { start: "npm run docs" } } },
        tasks: { lint: { name: "Lint", command: "npm run lint" } },
      },
    }),
  ),
  call(automation.createService)((ctx) => ({
      environmentId: envA(ctx),
      metadata: { reference: "api", name: "API" },
      spec: { commands: { start: "node server.js", ready: "curl -s localhost:3001" } },
    }),
    { save: (res, ctx) => ctx.set("service", res.service?.id) },
  ),
  call(automation.getService)((ctx) => ({ id: ctx.get("service") })),
  call(automation.listServices)((ctx) => ({ filter: { environmentIds: [envA(ctx)] } })),
  call(automation.updateService)((ctx) => ({
    id: ctx.get("service"),
    metadata: { name: "API server" },
    spec: { commands: { start: "node server.js --port 3001" } },
  })),
  call(automation.startService)((ctx) => ({ id: ctx.get("service") })),
  steps(3),
  call(automation.getService)((ctx) => ({ id: ctx.get("service") })),
  call(automation.stopService)((ctx) => ({ id: ctx.get("service") })),
  steps(2),
  call(automation.getService)((ctx) => ({ id: ctx.get("service") })),
  call(automation.deleteService)((ctx) => ({ id: ctx.get("service") })),
  steps(1),
  call(automation.getService)((ctx) => ({ id: ctx.get("service") })),
  steps(1),
  call(automation.listServices)((ctx) => ({ filter: { environmentIds: [envA(ctx)] } })),
  call(automation.createTask)((ctx) => ({
      environmentId: envA(ctx),
      metadata: { reference: "build", name: "Build", triggeredBy: [{ trigger: { case: "manual", value: true } }] },
      spec: { command: "npm run build" },
    }),
    { save: (res, ctx) => ctx.set("task", res.task?.id) },
  ),
  call(automation.getTask)((ctx) => ({ id: ctx.get("task") })),
  call(automation.listTasks)((ctx) => ({ filter: { environmentIds: [envA(ctx)] } })),
  call(automation.updateTask)((ctx) => ({ id: ctx.get("task"), metadata: { description: "Builds for production" }, spec: { command: "npm run build:prod" } })),
  call(automation.startTask)((ctx) => ({ id: ctx.get("task") }), { save: (res, ctx) => ctx.set("execution1", res.taskExecution?.id) }),
  steps(3),
  call(automation.getTaskExecution)((ctx) => ({ id: ctx.get("execution1") })),
  call(automation.listTaskExecutions)((ctx) => ({ filter: { taskIds: [ctx.get("task")] } })),
  // The environment's own events (its services, tasks and executions) while a second run is
  // stopped; the sentinel: a task created last.
  watch(EventService.method.watchEvents)(
    (ctx) => ({ scope: { case: "environmentId", value: envA(ctx) } }),
    [
      call(automation.startTask)((ctx) => ({ id: ctx.get("task") }), { save: (res, ctx) => ctx.set("execution2", res.taskExecution?.id) }),
      call(automation.stopTaskExecution)((ctx) => ({ id: ctx.get("execution2") })),
      steps(2),
      call(automation.createTask)((ctx) => ({ environmentId: envA(ctx), metadata: { reference: "sentinel", name: "Sentinel" }, spec: { command: "true" } }), {
        save: (res, ctx) => ctx.set("sentinelTask", res.task?.id),
      }),
    ],
    (event, ctx) => event.operation === ResourceOperation.CREATE && event.resourceType === ResourceType.TASK && event.resourceId === ctx.get("sentinelTask"),
  ),
  call(automation.getTaskExecution)((ctx) => ({ id: ctx.get("execution2") })),
  call(automation.deleteTask)((ctx) => ({ id: ctx.get("task") })),
  call(automation.listTasks)((ctx) => ({ filter: { environmentIds: [envA(ctx)] } })),
];

const lifecycleSteps: Step[] = [
  // The organization's events of the environment while it stops; the sentinel: a runner renamed last.
  watch(EventService.method.watchEvents)(
    (ctx) => ({
      scope: { case: "organization", value: true },
      resourceTypeFilters: [
        { resourceType: ResourceType.ENVIRONMENT, resourceIds: [envA(ctx)] },
        { resourceType: ResourceType.RUNNER, resourceIds: [runner1(ctx)] },
      ],
    }),
    [
      call(env.stopEnvironment)((ctx) => ({ environmentId: envA(ctx) })),
      steps(3),
      call(runners.updateRunner)((ctx) => ({ runnerId: runner1(ctx), name: "matrix runner, watched" })),
    ],
    (event, ctx) => event.operation === ResourceOperation.UPDATE && event.resourceType === ResourceType.RUNNER && event.resourceId === runner1(ctx),
  ),
  call(env.getEnvironment)((ctx) => ({ environmentId: envA(ctx) })),
  call(env.archiveEnvironment)((ctx) => ({ environmentId: envA(ctx) })),
  call(env.listEnvironments)(() => ({ filter: { archivalStatus: ArchivalStatus.ARCHIVED } })),
  call(env.unarchiveEnvironment)((ctx) => ({ environmentId: envA(ctx) })),
  call(env.startEnvironment)((ctx) => ({ environmentId: envA(ctx) })),
  steps(stepsToRunning),
  call(env.getEnvironment)((ctx) => ({ environmentId: envA(ctx) })),
  call(env.createEnvironmentFromProject)(() => ({ projectId }), { save: (res, ctx) => ctx.set("envP", res.environment?.id) }),
  steps(stepsToRunning + 1),
  call(env.getEnvironment)((ctx) => ({ environmentId: ctx.get("envP") })),
  call(automation.listServices)((ctx) => ({ filter: { environmentIds: [ctx.get("envP")] } })),
  call(env.listEnvironments)(() => ({ filter: { projectIds: [projectId] } })),
  call(env.deleteEnvironment)((ctx) => ({ environmentId: ctx.get("envP"), force: true })),
  call(env.deleteEnvironment)((ctx) => ({ environmentId: envA(ctx) })),
  steps(1),
  call(env.getEnvironment)((ctx) => ({ environmentId: envA(ctx) })),
];

/** What the error table needs: a stopped environment with a service and a task, and its access token. */
const errorFixtureSteps: Step[] = [
  call(env.createEnvironment)((ctx) => ({ spec: { machine: { class: ctx.bootstrap.environmentClassId } } }), {
    save: (res, ctx) => ctx.set("envB", res.environment?.id),
  }),
  steps(stepsToRunning),
  call(automation.createService)((ctx) => ({ environmentId: envB(ctx), metadata: { reference: "api", name: "API" }, spec: { commands: { start: "node server.js" } } })),
  call(automation.createTask)((ctx) => ({ environmentId: envB(ctx), metadata: { reference: "build", name: "Build" }, spec: { command: "npm run build" } }), {
    save: (res, ctx) => ctx.set("taskB", res.task?.id),
  }),
  call(env.createEnvironmentAccessToken)((ctx) => ({ environmentId: envB(ctx) }), { save: (res, ctx) => ctx.set("envBToken", res.accessToken) }),
  call(env.stopEnvironment)((ctx) => ({ environmentId: envB(ctx) })),
  steps(3),
  call(env.getEnvironment)((ctx) => ({ environmentId: envB(ctx) })),
  call(env.listEnvironments)(() => ({ filter: { archivalStatus: ArchivalStatus.ALL } })),
];

export const scenario: readonly Step[] = [
  ...runnerSteps,
  ...configurationSteps,
  ...environmentSteps,
  ...automationSteps,
  ...lifecycleSteps,
  ...errorFixtureSteps,
];
