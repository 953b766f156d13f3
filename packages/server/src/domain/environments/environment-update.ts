// UpdateEnvironment applied to an environment: only the parts the request sets change. Metadata
// changes (name, lockdown time) are immediate; any spec change bumps spec_version, which the
// runner acknowledges and applies (UPDATING while it runs). Changes that would rebuild what a
// running environment is made of — its content initializer and its kernel controls — need the
// environment stopped; the ways to redo something while it runs are the session markers.
import { clone, create } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import {
  EnvironmentPhase,
  EnvironmentSpec_AutomationsFileSchema,
  EnvironmentSpec_ContentSchema,
  EnvironmentSpec_DevContainerSchema,
  EnvironmentSpec_EnvironmentPortSchema,
  EnvironmentSpec_TimeoutSchema,
  EnvironmentInitializerSchema,
  KernelControlsConfigSchema,
  type Environment,
  type UpdateEnvironmentRequest,
} from "@gitpod-connect/schema/gitpod/v1/environment";
import { failedPreconditionAt, invalidArgument, permissionDenied } from "../../errors.js";
import { assertSpecConsistent } from "./environment-creation.js";

export interface UpdateContext {
  /** Whether the caller administers the organization (only admins may change the lockdown time). */
  isAdmin: boolean;
  nowMs: number;
}

function requireStopped(env: Environment, field: string): void {
  if (env.status?.phase !== EnvironmentPhase.STOPPED || env.spec?.desiredPhase !== EnvironmentPhase.STOPPED)
    throw failedPreconditionAt(field, "can only change while the environment is stopped; stop it first");
}

/** Applies `req` to `env` (a copy the caller writes back). Returns whether anything changed. */
export function applyEnvironmentUpdate(env: Environment, req: UpdateEnvironmentRequest, ctx: UpdateContext): boolean {
  const metadata = env.metadata!;
  const spec = env.spec!;
  let changed = false;
  let specChanged = false;

  if (req.metadata?.name !== undefined) {
    metadata.name = req.metadata.name;
    changed = true;
  }
  const lockdown = req.metadata?.lockdownAt;
  if (lockdown !== undefined) {
    if (!ctx.isAdmin) throw permissionDenied("metadata.lockdown_at: only organization admins may change the lockdown time");
    const at = timestampMs(lockdown);
    if (at === 0) delete metadata.lockdownAt;
    else if (at < ctx.nowMs) throw invalidArgument("metadata.lockdown_at", "must lie in the future (or be 0 to remove the lockdown)");
    else metadata.lockdownAt = lockdown;
    changed = true;
  }

  const s = req.spec;
  if (s) {
    if (s.content) {
      const content = (spec.content ??= create(EnvironmentSpec_ContentSchema));
      if (s.content.initializer !== undefined) {
        requireStopped(env, "spec.content.initializer");
        content.initializer = clone(EnvironmentInitializerSchema, s.content.initializer);
      }
      if (s.content.session !== undefined) content.session = s.content.session;
      if (s.content.gitUsername !== undefined) content.gitUsername = s.content.gitUsername;
      if (s.content.gitEmail !== undefined) content.gitEmail = s.content.gitEmail;
      specChanged = true;
    }
    for (const key of s.sshPublicKeys) {
      const at = spec.sshPublicKeys.findIndex((k) => k.id === key.id);
      if (key.value === undefined) {
        if (at >= 0) spec.sshPublicKeys.splice(at, 1);
      } else if (at >= 0) spec.sshPublicKeys[at]!.value = key.value;
      else spec.sshPublicKeys.push({ $typeName: "gitpod.v1.EnvironmentSpec.SSHPublicKey", id: key.id, value: key.value });
      specChanged = true;
    }
    if (s.devcontainer) {
      const devcontainer = (spec.devcontainer ??= create(EnvironmentSpec_DevContainerSchema));
      if (s.devcontainer.session !== undefined) devcontainer.session = s.devcontainer.session;
      if (s.devcontainer.devcontainerFilePath !== undefined) devcontainer.devcontainerFilePath = s.devcontainer.devcontainerFilePath;
      specChanged = true;
    }
    if (s.ports.length > 0) {
      const before = new Map(spec.ports.map((p) => [p.port, p]));
      spec.ports = s.ports.map((p) => {
        const port = clone(EnvironmentSpec_EnvironmentPortSchema, p);
        const previous = before.get(p.port);
        // The proxy invalidates browser sessions of a port whose admission changed.
        port.authNonce = previous ? previous.authNonce + (previous.admission !== p.admission ? 1n : 0n) : 0n;
        return port;
      });
      specChanged = true;
    }
    if (s.timeout) {
      const timeout = (spec.timeout ??= create(EnvironmentSpec_TimeoutSchema));
      if (s.timeout.disconnected !== undefined) timeout.disconnected = s.timeout.disconnected;
      specChanged = true;
    }
    if (s.automationsFile) {
      const file = (spec.automationsFile ??= create(EnvironmentSpec_AutomationsFileSchema));
      if (s.automationsFile.session !== undefined) file.session = s.automationsFile.session;
      if (s.automationsFile.automationsFilePath !== undefined) file.automationsFilePath = s.automationsFile.automationsFilePath;
      specChanged = true;
    }
    if (s.kernelControlsConfig !== undefined) {
      requireStopped(env, "spec.kernel_controls_config");
      spec.kernelControlsConfig = clone(KernelControlsConfigSchema, s.kernelControlsConfig);
      specChanged = true;
    }
  }
  if (specChanged) {
    assertSpecConsistent(spec);
    spec.specVersion += 1n;
  }
  return changed || specChanged;
}
