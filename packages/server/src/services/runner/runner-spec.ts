// A runner's spec: the checks and defaults of CreateRunner's spec, and how UpdateRunner's partial
// spec is applied (only the fields that are set change).
import { clone, create } from "@bufbuild/protobuf";
import {
  LogLevelSchema,
  MetricsConfigurationSchema,
  RunnerConfigurationSchema,
  RunnerPhase,
  RunnerPhaseSchema,
  RunnerReleaseChannel,
  RunnerReleaseChannelSchema,
  RunnerSpecSchema,
  RunnerVariant,
  RunnerVariantSchema,
  type Runner,
  type RunnerSpec,
  type UpdateRunnerRequest_Spec,
} from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerKind, RunnerKindSchema } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { failedPrecondition, invalidArgument } from "../../errors.js";
import { openSecret } from "../../domain/secrets/index.js";
import { assertDefined, enumName } from "./enum-values.js";
import { normalizeUpdateWindow } from "./update-window.js";

/** The phases a user may ask a runner to be in; the others are reported, or set by deletion. */
const settablePhases: ReadonlySet<RunnerPhase> = new Set([RunnerPhase.ACTIVE, RunnerPhase.INACTIVE]);

/** Lower-case words joined by dashes, as cloud regions are named ("us-east-1", "europe-west1", "local"). */
const regionPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function checkRegion(region: string, field: string): void {
  if (region === "") return;
  if (region.length > 63 || !regionPattern.test(region))
    throw invalidArgument(field, `${JSON.stringify(region)} is not a region name (lower-case words joined by dashes, e.g. "us-east-1")`);
}

function checkMetricsUrl(url: string, field: string): void {
  if (url === "") return;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:"))
    throw invalidArgument(field, `must be an absolute http(s) URL of the metrics collector, got ${JSON.stringify(url)}`);
}

function checkSettablePhase(phase: RunnerPhase, field: string): void {
  assertDefined(RunnerPhaseSchema, phase, field);
  if (!settablePhases.has(phase))
    throw invalidArgument(field, `may only be RUNNER_PHASE_ACTIVE or RUNNER_PHASE_INACTIVE, got ${enumName(RunnerPhaseSchema, phase)}`);
}

/**
 * A client-supplied `encrypted_honeycomb_api_key` must be one this server encrypted: a new runner has
 * no public key yet, so its key is sealed with the server key (as UpdateRunner would seal it).
 */
function checkEncryptedHoneycombKey(sealed: Uint8Array, field: string): void {
  if (sealed.length === 0) return;
  try {
    openSecret(sealed);
  } catch {
    throw invalidArgument(field, "is not a key this server encrypted; set the key in clear with UpdateRunner's spec.configuration.honeycomb_api_key");
  }
}

/**
 * The spec a new runner starts with: desired phase ACTIVE, release channel STABLE and variant
 * STANDARD unless given; every given value checked. Throws invalid_argument naming the field.
 */
export function newRunnerSpec(requested: RunnerSpec | undefined): RunnerSpec {
  const spec = requested ? clone(RunnerSpecSchema, requested) : create(RunnerSpecSchema);
  if (spec.desiredPhase === RunnerPhase.UNSPECIFIED) spec.desiredPhase = RunnerPhase.ACTIVE;
  checkSettablePhase(spec.desiredPhase, "spec.desired_phase");
  assertDefined(RunnerVariantSchema, spec.variant, "spec.variant");
  if (spec.variant === RunnerVariant.UNSPECIFIED) spec.variant = RunnerVariant.STANDARD;

  const c = spec.configuration ?? create(RunnerConfigurationSchema);
  checkRegion(c.region, "spec.configuration.region");
  assertDefined(RunnerReleaseChannelSchema, c.releaseChannel, "spec.configuration.release_channel");
  if (c.releaseChannel === RunnerReleaseChannel.UNSPECIFIED) c.releaseChannel = RunnerReleaseChannel.STABLE;
  assertDefined(LogLevelSchema, c.logLevel, "spec.configuration.log_level");
  if (c.metrics) checkMetricsUrl(c.metrics.url, "spec.configuration.metrics.url");
  checkEncryptedHoneycombKey(c.encryptedHoneycombApiKey, "spec.configuration.encrypted_honeycomb_api_key");
  c.updateWindow = normalizeUpdateWindow(c.updateWindow, "spec.configuration.update_window");
  spec.configuration = c;
  return spec;
}

/**
 * Applies UpdateRunnerRequest.spec to `runner` (a copy the caller stores afterwards). Only the
 * fields that are set change. `encrypt` turns a plain Honeycomb key into its stored form.
 * Throws invalid_argument naming the field, or failed_precondition for a desired phase change on a
 * runner that is not the local-configuration runner.
 */
export function applySpecUpdate(runner: Runner, update: UpdateRunnerRequest_Spec, encrypt: (plain: string) => Uint8Array): void {
  const spec = (runner.spec ??= create(RunnerSpecSchema));
  const c = (spec.configuration ??= create(RunnerConfigurationSchema));
  const u = update.configuration;
  if (u) {
    const at = "spec.configuration";
    if (u.releaseChannel !== undefined) {
      assertDefined(RunnerReleaseChannelSchema, u.releaseChannel, `${at}.release_channel`);
      if (u.releaseChannel === RunnerReleaseChannel.UNSPECIFIED)
        throw invalidArgument(`${at}.release_channel`, "must be RUNNER_RELEASE_CHANNEL_STABLE or RUNNER_RELEASE_CHANNEL_LATEST");
      c.releaseChannel = u.releaseChannel;
    }
    if (u.autoUpdate !== undefined) c.autoUpdate = u.autoUpdate;
    if (u.logLevel !== undefined) {
      assertDefined(LogLevelSchema, u.logLevel, `${at}.log_level`);
      c.logLevel = u.logLevel;
    }
    if (u.devcontainerImageCacheEnabled !== undefined) c.devcontainerImageCacheEnabled = u.devcontainerImageCacheEnabled;
    if (u.updateWindow !== undefined) c.updateWindow = normalizeUpdateWindow(u.updateWindow, `${at}.update_window`);
    if (u.continuousProfiling !== undefined) c.continuousProfiling = u.continuousProfiling;
    if (u.honeycombApiKey !== undefined)
      c.encryptedHoneycombApiKey = u.honeycombApiKey === "" ? new Uint8Array() : encrypt(u.honeycombApiKey);
    if (u.metrics !== undefined) {
      const m = (c.metrics ??= create(MetricsConfigurationSchema));
      const n = u.metrics;
      if (n.url !== undefined) {
        checkMetricsUrl(n.url, `${at}.metrics.url`);
        m.url = n.url;
      }
      if (n.enabled !== undefined) m.enabled = n.enabled;
      if (n.username !== undefined) m.username = n.username;
      if (n.password !== undefined) m.password = n.password;
      if (n.managedMetricsEnabled !== undefined) m.managedMetricsEnabled = n.managedMetricsEnabled;
      if (n.includeVerboseMetrics !== undefined) m.includeVerboseMetrics = n.includeVerboseMetrics;
    }
  }
  if (update.desiredPhase !== undefined) {
    checkSettablePhase(update.desiredPhase, "spec.desired_phase");
    if (update.desiredPhase !== spec.desiredPhase && runner.kind !== RunnerKind.LOCAL_CONFIGURATION)
      throw failedPrecondition(
        "spec.desired_phase can only be changed on the local-configuration runner (RUNNER_KIND_LOCAL_CONFIGURATION), " +
          `where it switches local runners on or off; runner ${JSON.stringify(runner.runnerId)} is ${enumName(RunnerKindSchema, runner.kind)}`,
      );
    spec.desiredPhase = update.desiredPhase;
  }
}
