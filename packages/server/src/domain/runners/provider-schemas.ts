// What each kind of runner accepts: its own settings, the settings of its environment classes and
// the SCM systems it integrates with — declared once per runner provider. GetRunnerConfigurationSchema
// sends these descriptions (configuration-schema.ts) and CreateEnvironmentClass /
// ValidateRunnerConfiguration check against them, so the schema and the checks cannot disagree.
import { RunnerKind, RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { boolField, enumField, type FieldSpec } from "./field-spec.js";

/** One SCM system a runner supports, and how users may authenticate with it. */
export interface ScmSpec {
  scmId: string;
  name: string;
  defaultHosts: readonly string[];
  /** Whether OAuth sign-in can be configured. */
  oauth: boolean;
  /** PAT guidance; absent when the SCM system has no personal access tokens. */
  pat?: { description: string; docsLink: string };
  /** Whether an Azure DevOps Server virtual directory ("/tfs") applies. */
  virtualDirectory?: boolean;
}

export interface ProviderSchema {
  version: string;
  runnerConfig: readonly FieldSpec[];
  environmentClass: readonly FieldSpec[];
  scm: readonly ScmSpec[];
}

/** Where users are sent back after an OAuth sign-in; register it with the OAuth app. */
export const oauthCallbackUrl = "https://app.gitpod.io/auth/oauth2/callback";

const scmSystems: readonly ScmSpec[] = [
  {
    scmId: "github",
    name: "GitHub",
    defaultHosts: ["github.com"],
    oauth: true,
    pat: {
      description: "A fine-grained or classic personal access token with read and write access to repository contents.",
      docsLink:
        "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens",
    },
  },
  {
    scmId: "gitlab",
    name: "GitLab",
    defaultHosts: ["gitlab.com"],
    oauth: true,
    pat: {
      description: "A personal access token with the api, read_repository and write_repository scopes.",
      docsLink: "https://docs.gitlab.com/ee/user/profile/personal_access_tokens.html",
    },
  },
  {
    scmId: "bitbucket",
    name: "Bitbucket",
    defaultHosts: ["bitbucket.org"],
    oauth: true,
    pat: {
      description: "An API token (or app password) with repository read and write permissions.",
      docsLink: "https://support.atlassian.com/bitbucket-cloud/docs/api-tokens/",
    },
  },
  {
    scmId: "azure-devops",
    name: "Azure DevOps",
    defaultHosts: ["dev.azure.com"],
    oauth: true,
    pat: {
      description: "A personal access token with the Code (Read & write) scope.",
      docsLink: "https://learn.microsoft.com/en-us/azure/devops/organizations/accounts/use-personal-access-tokens-to-authenticate",
    },
    virtualDirectory: true,
  },
];

const releaseChannel = enumField("release_channel", "Release channel", "Which runner releases to follow.", [
  { value: "stable", subtitle: "Tested releases" },
  { value: "latest", subtitle: "Every release, as soon as it is out" },
]);
const autoUpdate = boolField("auto_update", "Automatic updates", "Whether the runner updates itself.", true);
const logLevel = enumField(
  "log_level",
  "Log level",
  "How much the runner logs.",
  [{ value: "debug" }, { value: "info" }, { value: "warn" }, { value: "error" }],
  "info",
);
const region = (example: string): FieldSpec => ({
  id: "region",
  name: "Region",
  description: `The cloud region the runner deploys environments in, e.g. "${example}".`,
  required: true,
  type: { kind: "string", pattern: "[a-z]+(-[a-z0-9]+)*" },
});
const devcontainerCache = boolField("devcontainer_image_cache_enabled", "Dev container image cache", "Whether built dev container images are cached.", true);

/** cpu / memory / disk: the machine shape every provider's environment classes have (like the bootstrap class). */
function machineShape(limits: { cpu: number; memoryGiB: number; diskMinGiB: number; diskMaxGiB: number; diskDefaultGiB: number }): FieldSpec[] {
  return [
    {
      id: "cpu",
      name: "CPU cores",
      description: "Virtual CPU cores of an environment.",
      required: true,
      type: { kind: "int", min: 1, max: limits.cpu, default: 2 },
    },
    {
      id: "memory",
      name: "Memory (GiB)",
      description: "Memory of an environment in GiB.",
      required: true,
      type: { kind: "int", min: 1, max: limits.memoryGiB, default: 8 },
    },
    {
      id: "disk",
      name: "Disk (GiB)",
      description: "Size of an environment's disk in GiB.",
      type: { kind: "int", min: limits.diskMinGiB, max: limits.diskMaxGiB, default: limits.diskDefaultGiB },
    },
  ];
}

// Limits follow the largest machines of each platform (EC2 u-24tb1: 448 vCPUs, 24 TiB; EBS 16 TiB).
const awsEc2: ProviderSchema = {
  version: "aws-ec2/2025-01",
  runnerConfig: [region("us-east-1"), releaseChannel, autoUpdate, logLevel, devcontainerCache],
  environmentClass: [
    ...machineShape({ cpu: 448, memoryGiB: 24576, diskMinGiB: 8, diskMaxGiB: 16384, diskDefaultGiB: 30 }),
    enumField("architecture", "CPU architecture", "The instruction set of the EC2 instance.", [
      { value: "amd64", subtitle: "x86-64 (Intel, AMD)" },
      { value: "arm64", subtitle: "AWS Graviton" },
    ]),
    boolField("spot", "Spot instances", "Run on spot capacity: cheaper, but environments may be interrupted.", false),
  ],
  scm: scmSystems,
};

const gcp: ProviderSchema = {
  version: "gcp/2025-01",
  runnerConfig: [region("europe-west1"), releaseChannel, autoUpdate, logLevel],
  environmentClass: [
    ...machineShape({ cpu: 416, memoryGiB: 12288, diskMinGiB: 10, diskMaxGiB: 65536, diskDefaultGiB: 30 }),
    enumField(
      "machine_family",
      "Machine family",
      "The Compute Engine machine family.",
      [
        { value: "e2", subtitle: "Cost-optimized" },
        { value: "n2", subtitle: "General purpose" },
        { value: "c3", subtitle: "Compute-optimized" },
        { value: "m3", subtitle: "Memory-optimized" },
      ],
      "n2",
    ),
  ],
  scm: scmSystems,
};

const localMachine: ProviderSchema = {
  version: "local/2025-01",
  runnerConfig: [
    releaseChannel,
    autoUpdate,
    logLevel,
    {
      id: "host_info",
      name: "Host",
      description: "The machine the runner runs on, as it reported itself.",
      type: { kind: "display", default: "local machine" },
    },
  ],
  environmentClass: machineShape({ cpu: 128, memoryGiB: 1024, diskMinGiB: 5, diskMaxGiB: 8192, diskDefaultGiB: 50 }),
  scm: scmSystems,
};

/** The schema a runner follows: by provider, else (legacy runners without one) by kind. */
export function providerSchema(provider: RunnerProvider, kind: RunnerKind): ProviderSchema {
  switch (provider) {
    case RunnerProvider.AWS_EC2:
    case RunnerProvider.MANAGED:
      return awsEc2;
    case RunnerProvider.GCP:
      return gcp;
    /* eslint-disable @typescript-eslint/no-deprecated -- runners registered with LINUX_HOST or DESKTOP_MAC still exist */
    case RunnerProvider.LINUX_HOST:
    case RunnerProvider.DESKTOP_MAC:
    case RunnerProvider.DEV_AGENT:
      return localMachine;
    /* eslint-enable @typescript-eslint/no-deprecated */
    default:
      return kind === RunnerKind.REMOTE ? awsEc2 : localMachine;
  }
}
