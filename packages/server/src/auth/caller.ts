// Who is calling: set by the authentication interceptor before any handler runs, read by handlers
// with callerOf(context).
import { create } from "@bufbuild/protobuf";
import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import { SubjectSchema, type Principal, type Subject } from "@gitpod-connect/schema/gitpod/v1/identity";
import { unauthenticated } from "../errors.js";

/** The authenticated principal behind a call. */
export interface Caller {
  /** The actor (user, runner, …): put it into `creator` fields. */
  readonly subject: Subject;
  /** The organization the caller acts in; every resource it touches must belong to it. */
  readonly organizationId: string;
}

/** Context key under which the authentication interceptor stores the Caller. */
export const callerKey = createContextKey<Caller | undefined>(undefined, {
  description: "the authenticated caller",
});

/** The caller of this RPC. Throws unauthenticated if the call was not authenticated (never in a mounted service). */
export function callerOf(context: HandlerContext): Caller {
  const caller = context.values.get(callerKey);
  if (!caller) throw unauthenticated();
  return caller;
}

/** Builds a Caller. */
export function caller(organizationId: string, id: string, principal: Principal): Caller {
  return { organizationId, subject: create(SubjectSchema, { id, principal }) };
}
