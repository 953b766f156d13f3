// Helpers of the SDK suites: a peer per describe block, collecting an auto-paginating list,
// timestamps as proto3 JSON writes them, and the SDK's typed errors by HTTP status and Connect code.
import { type APIError, AuthenticationError, BadRequestError, ConflictError, NotFoundError, PermissionDeniedError } from "@gitpod/sdk";
import { afterAll, beforeAll, expect } from "vitest";
import { startSdkPeer, type SdkPeer, type SdkPeerOptions } from "./sdk-peer.js";

type ErrorClass = abstract new (...args: never[]) => APIError;

export const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A well-formed id that no resource has (the peers' sequential ids count up from …0001). */
export const missingId = "0b1e5d2a-7c4f-4e8a-9d3b-6f2a1c0e9b7d";

/** A timestamp as proto3 JSON writes it: RFC 3339, UTC, no fractional seconds when there are none. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Awaits a call that must fail, and checks it failed as the SDK's typed error for `status` and Connect `code`. */
export async function expectApiError(call: PromiseLike<unknown>, errorClass: ErrorClass, status: number, code: string): Promise<APIError> {
  let error: unknown;
  try {
    await call;
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error(`expected ${errorClass.name} (${status} ${code}), but the call succeeded`);
  expect(error).toBeInstanceOf(errorClass);
  expect(error).toMatchObject({ status, code });
  return error as APIError;
}

/** The typed errors by Connect code, as the SDK reports them. */
export const expectNotFound = (call: PromiseLike<unknown>) => expectApiError(call, NotFoundError, 404, "not_found");
export const expectInvalidArgument = (call: PromiseLike<unknown>) => expectApiError(call, BadRequestError, 400, "invalid_argument");
/** failed_precondition, which Connect (and so the SDK) reports as 400. */
export const expectFailedPrecondition = (call: PromiseLike<unknown>) => expectApiError(call, BadRequestError, 400, "failed_precondition");
export const expectAlreadyExists = (call: PromiseLike<unknown>) => expectApiError(call, ConflictError, 409, "already_exists");
export const expectPermissionDenied = (call: PromiseLike<unknown>) => expectApiError(call, PermissionDeniedError, 403, "permission_denied");
export const expectUnauthenticated = (call: PromiseLike<unknown>) => expectApiError(call, AuthenticationError, 401, "unauthenticated");

/** A server for the enclosing describe block: started in beforeAll, stopped in afterAll. */
export function usePeer(options: SdkPeerOptions = {}): () => SdkPeer {
  let peer: SdkPeer | undefined;
  beforeAll(async () => {
    peer = await startSdkPeer(options);
  });
  afterAll(async () => {
    await peer?.close();
  });
  return () => {
    if (!peer) throw new Error("the peer has not started");
    return peer;
  };
}
