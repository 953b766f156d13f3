// A new environment, as CreateEnvironment and CreateEnvironmentFromProject make it: the spec the
// caller sent, checked against what this server can run (an enabled environment class of a usable
// runner), with the server's parts filled in (metadata, version, sessions), desired phase RUNNING
// and status CREATING. The simulated runner takes it from there.
import { clone, create } from "@bufbuild/protobuf";
import {
  EnvironmentPhase,
  EnvironmentRole,
  EnvironmentSchema,
  EnvironmentSpecSchema,
  EnvironmentSpec_AutomationsFileSchema,
  EnvironmentSpec_ContentSchema,
  EnvironmentSpec_DevContainerSchema,
  EnvironmentSpec_MachineSchema,
  type Environment,
  type EnvironmentSpec,
} from "@gitpod-connect/schema/gitpod/v1/environment";
import { SubjectSchema } from "@gitpod-connect/schema/gitpod/v1/identity";
import type { Caller } from "../../auth/caller.js";
import { failedPreconditionAt, invalidArgument, notFoundAt } from "../../errors.js";
import type { HandlerDeps } from "../../handler-deps.js";
import type { Transaction } from "../../store/store.js";
import { canCreateEnvironments, environmentClasses } from "../environment-classes/index.js";
import { findRunner } from "../runners/index.js";
import { contentSourceOf } from "./content-source.js";
import { environments, type EnvironmentRecord } from "./records.js";

export interface NewEnvironment {
  spec: EnvironmentSpec | undefined;
  name?: string | undefined;
  sessionId: string;
  annotations: Record<string, string>;
  /** The project it is created from, if any. */
  projectId?: string;
  /** The project's automations file (proto JSON), applied when the environment starts. */
  projectAutomationsFile?: unknown;
}

/** "type base64 [comment]", as in an authorized_keys line. */
const sshPublicKeyPattern = /^(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+) [A-Za-z0-9+/]+={0,3}( .*)?$/;

/** Checks the parts of a spec that protovalidate cannot: references between fields. */
export function assertSpecConsistent(spec: EnvironmentSpec, prefix = "spec"): void {
  spec.content?.initializer?.specs.forEach((s, i) => {
    if (s.spec.case === "git" && s.spec.value.remoteUri.trim() === "")
      throw invalidArgument(`${prefix}.content.initializer.specs[${i}].git.remote_uri`, "must name the repository to clone");
  });
  const seenPorts = new Set<number>();
  spec.ports.forEach((p, i) => {
    if (seenPorts.has(p.port)) throw invalidArgument(`${prefix}.ports[${i}].port`, `port ${p.port} is listed twice`);
    seenPorts.add(p.port);
  });
  const seenKeys = new Set<string>();
  spec.sshPublicKeys.forEach((k, i) => {
    if (k.id === "") throw invalidArgument(`${prefix}.ssh_public_keys[${i}].id`, "must not be empty");
    if (seenKeys.has(k.id)) throw invalidArgument(`${prefix}.ssh_public_keys[${i}].id`, `key id ${JSON.stringify(k.id)} is listed twice`);
    if (!sshPublicKeyPattern.test(k.value))
      throw invalidArgument(`${prefix}.ssh_public_keys[${i}].value`, 'must be an OpenSSH public key ("ssh-ed25519 AAAA… comment")');
    seenKeys.add(k.id);
  });
}

/**
 * The runner an environment of `classId` runs on. not_found naming spec.machine.class for an unknown
 * class (or another organization's); failed_precondition for a disabled class or a runner that is
 * being deleted.
 */
async function runnerForClass(tx: Transaction, deps: HandlerDeps, organizationId: string, classId: string): Promise<string> {
  const field = "spec.machine.class";
  if (classId === "") throw invalidArgument(field, "set the environment class to run on (an id from ListEnvironmentClasses)");
  const record = await tx.collection(environmentClasses).get(classId, { organizationId });
  if (!record) throw notFoundAt(field, "environment class", classId);
  let runner;
  try {
    runner = (await findRunner(tx, deps.clock.nowMs(), organizationId, record.value.runnerId)).value;
  } catch {
    throw failedPreconditionAt(field, `the runner of environment class ${JSON.stringify(classId)} no longer exists`);
  }
  if (!canCreateEnvironments(record.value, runner)) {
    throw failedPreconditionAt(
      field,
      record.value.enabled
        ? `the runner of environment class ${JSON.stringify(classId)} is being deleted`
        : `environment class ${JSON.stringify(classId)} is disabled`,
    );
  }
  return runner.runnerId;
}

/** Creates the environment in `tx` and returns it as stored. */
export async function createEnvironment(tx: Transaction, deps: HandlerDeps, caller: Caller, input: NewEnvironment): Promise<Environment> {
  const spec = input.spec ? clone(EnvironmentSpecSchema, input.spec) : create(EnvironmentSpecSchema);
  assertSpecConsistent(spec);
  const runnerId = await runnerForClass(tx, deps, caller.organizationId, spec.machine?.class ?? "");
  const id = deps.ids.newId();
  const now = deps.clock.now();
  const source = contentSourceOf(spec.content?.initializer);

  spec.specVersion = 1n;
  spec.desiredPhase = EnvironmentPhase.RUNNING;
  // The session markers are the system's: a new value means "do it again".
  const session = () => deps.ids.newId();
  (spec.machine ??= create(EnvironmentSpec_MachineSchema)).session ||= session();
  (spec.content ??= create(EnvironmentSpec_ContentSchema)).session ||= session();
  (spec.devcontainer ??= create(EnvironmentSpec_DevContainerSchema)).session ||= session();
  (spec.automationsFile ??= create(EnvironmentSpec_AutomationsFileSchema)).session ||= session();

  const environment = create(EnvironmentSchema, {
    id,
    metadata: {
      organizationId: caller.organizationId,
      annotations: { ...input.annotations },
      name: input.name ?? (source.repository || "environment"),
      creator: clone(SubjectSchema, caller.subject),
      originalContextUrl: source.contextUrl,
      createdAt: now,
      projectId: input.projectId ?? "",
      runnerId,
      lastStartedAt: now,
      role: EnvironmentRole.DEFAULT,
      sessionId: input.sessionId || deps.ids.newId(),
    },
    spec,
    status: { statusVersion: 1n, phase: EnvironmentPhase.CREATING },
  });
  const record: EnvironmentRecord = {
    environment,
    ...(input.projectAutomationsFile !== undefined ? { projectAutomationsFile: input.projectAutomationsFile } : {}),
  };
  await tx.collection(environments).insert({ id, organizationId: caller.organizationId, value: record });
  return environment;
}
