// Who may reach a port of an environment, and the port access tokens that open one.
//
// A port is reachable only while the environment runs and only if its spec shares it
// (spec.ports). Its admission level decides for whom: EVERYONE — anyone, no token needed;
// ORGANIZATION — members of the environment's organization; CREATOR_ONLY (and the deprecated
// OWNER_ONLY) — the environment's creator, and the environment itself. A port without its own level
// takes the environment's (spec.admission); without either it is creator-only.
//
// A port access token (CreatePortAccessToken, one hour) is bound to the environment, the port and
// the port's auth_nonce when issued: changing the port's admission raises the nonce (UpdateEnvironment),
// which invalidates every token issued before. Tokens open the port and nothing else: they are no
// API credential.
import { AdmissionLevel, EnvironmentPhase, type Environment } from "@gitpod-connect/schema/gitpod/v1/environment";
import { Principal, type Subject } from "@gitpod-connect/schema/gitpod/v1/identity";
import type { HandlerDeps } from "../../handler-deps.js";
import type { Transaction } from "../../store/store.js";
import { environmentCredentials, environmentTokenTtlMs } from "./environment-credentials.js";

/** Who asks for a port. */
export interface PortVisitor {
  organizationId: string;
  subject: Subject;
}

export function sharedPort(env: Environment, port: number) {
  return env.spec?.ports.find((p) => p.port === port);
}

/** The admission level that applies to the port (its own, else the environment's, else creator-only). */
export function portAdmission(env: Environment, port: number): AdmissionLevel {
  const own = sharedPort(env, port)?.admission ?? AdmissionLevel.UNSPECIFIED;
  if (own !== AdmissionLevel.UNSPECIFIED) return own;
  const environmentLevel = env.spec?.admission ?? AdmissionLevel.UNSPECIFIED;
  return environmentLevel !== AdmissionLevel.UNSPECIFIED ? environmentLevel : AdmissionLevel.CREATOR_ONLY;
}

/** Whether the admission level of the port lets `visitor` in (the port being shared is checked apart). */
export function admits(env: Environment, port: number, visitor: PortVisitor | undefined): boolean {
  const level = portAdmission(env, port);
  if (level === AdmissionLevel.EVERYONE) return true;
  if (!visitor || visitor.organizationId !== env.metadata?.organizationId) return false;
  if (level === AdmissionLevel.ORGANIZATION) return true;
  const { id, principal } = visitor.subject;
  const isEnvironment = principal === Principal.ENVIRONMENT && id === env.id;
  return isEnvironment || id === env.metadata?.creator?.id;
}

/** Whether the port can be reached at all now: the environment runs and shares it. */
export function portIsOpen(env: Environment, port: number): boolean {
  return env.status?.phase === EnvironmentPhase.RUNNING && sharedPort(env, port) !== undefined;
}

export function issuePortAccessToken(tx: Transaction, deps: HandlerDeps, env: Environment, port: number, visitor: PortVisitor): Promise<string> {
  const shared = sharedPort(env, port);
  return environmentCredentials.issueOpaque(
    tx,
    deps,
    { organizationId: env.metadata!.organizationId, ownerId: env.id, principal: Principal.ENVIRONMENT, purpose: "port" },
    environmentTokenTtlMs,
    "gitpod_port_",
    { port: String(port), authNonce: String(shared?.authNonce ?? 0n), subjectId: visitor.subject.id, principal: String(visitor.subject.principal) },
  );
}

/**
 * The visitor a port access token stands for, when it is valid for this environment and port and
 * the port's admission has not changed since it was issued; undefined otherwise.
 */
export async function resolvePortAccessToken(deps: Pick<HandlerDeps, "store" | "clock">, token: string, env: Environment, port: number): Promise<PortVisitor | undefined> {
  const opens = await environmentCredentials.resolve(deps, token, "port");
  if (!opens || opens.ownerId !== env.id || opens.scope.port !== String(port)) return undefined;
  if (opens.scope.authNonce !== String(sharedPort(env, port)?.authNonce ?? 0n)) return undefined;
  return {
    organizationId: opens.organizationId,
    subject: { $typeName: "gitpod.v1.Subject", id: opens.scope.subjectId ?? "", principal: Number(opens.scope.principal) },
  };
}
