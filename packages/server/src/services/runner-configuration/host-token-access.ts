// Who owns a host authentication token and who may see or change it.
//
// - By default a token belongs to the caller. Someone else (`subject` / deprecated `user_id`) may
//   only be named by an organization admin, or by a runner for a token of its own runner (runners
//   store the tokens they obtained through an OAuth sign-in for their users).
// - A token is visible (Get, List, Update, Delete) to its owner, to organization admins and to the
//   runner it is for; to everyone else it does not exist (not_found).
import { create } from "@bufbuild/protobuf";
import { Principal, SubjectSchema, type Subject } from "@gitpod-connect/schema/gitpod/v1/identity";
import type { HostAuthenticationToken } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { users } from "../../auth/identity-records.js";
import { isOrganizationAdmin } from "../../auth/organization-admin.js";
import type { Caller } from "../../auth/caller.js";
import { invalidArgument, notFound, permissionDenied } from "../../errors.js";
import type { Transaction } from "../../store/store.js";
import { hostAuthenticationTokens, tokenOwnerId } from "../../domain/scm/index.js";

const kind = "host authentication token";

/** Whether `caller` (admin or not, as given) may see `token`. */
export function canSeeToken(caller: Caller, admin: boolean, token: HostAuthenticationToken): boolean {
  if (admin) return true;
  if (caller.subject.principal === Principal.RUNNER) return caller.subject.id === token.runnerId;
  return tokenOwnerId(token) === caller.subject.id;
}

/** The token record `id` if the caller may see it; not_found otherwise (also for other organizations). */
export async function visibleToken(tx: Transaction, caller: Caller, id: string) {
  const record = await tx.collection(hostAuthenticationTokens).get(id, { organizationId: caller.organizationId });
  if (!record || !canSeeToken(caller, await isOrganizationAdmin(tx, caller), record.value.token)) throw notFound(kind, id);
  return record;
}

const ownerPrincipals = new Set([Principal.USER, Principal.SERVICE_ACCOUNT]);

/**
 * The owner of a new token for runner `runnerId`, from the request's `subject` and deprecated
 * `user_id` (which must agree when both are set), defaulting to the caller. Throws
 * invalid_argument, permission_denied, or not_found for an unknown user.
 */
export async function resolveTokenOwner(
  store: Transaction,
  caller: Caller,
  request: { subject?: Subject | undefined; userId: string; runnerId: string },
): Promise<Subject> {
  const subjectId = request.subject?.id ?? "";
  if (request.subject && subjectId === "") throw invalidArgument("subject.id", "must be set when subject is given");
  if (subjectId !== "" && request.userId !== "" && subjectId !== request.userId)
    throw invalidArgument("user_id", "must be empty or equal to subject.id (user_id is deprecated; use subject)");

  let owner: Subject;
  if (subjectId !== "") {
    owner = create(SubjectSchema, { id: subjectId, principal: request.subject!.principal || Principal.USER });
  } else if (request.userId !== "") {
    owner = create(SubjectSchema, { id: request.userId, principal: Principal.USER });
  } else if (caller.subject.principal === Principal.RUNNER) {
    throw invalidArgument("subject", "a runner must name the user or service account the token belongs to");
  } else {
    owner = create(SubjectSchema, { id: caller.subject.id, principal: caller.subject.principal });
  }
  if (!ownerPrincipals.has(owner.principal))
    throw invalidArgument("subject.principal", "a host token belongs to a user (PRINCIPAL_USER) or a service account (PRINCIPAL_SERVICE_ACCOUNT)");

  const forSelf = owner.id === caller.subject.id;
  const runnerForItself = caller.subject.principal === Principal.RUNNER && caller.subject.id === request.runnerId;
  if (!forSelf && !runnerForItself && !(await isOrganizationAdmin(store, caller)))
    throw permissionDenied("only an organization admin (or the runner itself) may create a host token for someone else");

  if (!forSelf && owner.principal === Principal.USER && !(await store.collection(users).get(owner.id, { organizationId: caller.organizationId })))
    throw notFound("user", owner.id);
  return owner;
}
