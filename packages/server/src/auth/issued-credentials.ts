// Credentials the server issues for a resource (a runner, an environment) and revokes with it.
// Each is recorded by its SHA-256 (never in clear) with its owner and purpose, so that removing the
// owner revokes all of them. Two kinds:
// - bearer: a token of the token store, authenticating as the owner's principal (the token store
//   decides expiry); its record id is also its token-store id;
// - opaque: not an API credential (an RPC with it is unauthenticated), only resolved here, e.g. a
//   logs token.
import { randomBytes } from "node:crypto";
import type { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import type { HandlerDeps } from "../handler-deps.js";
import { recordsWhere } from "../store/scan.js";
import { plainCollection, type CollectionSpec, type Transaction } from "../store/store.js";
import { hashToken } from "./token-store.js";

export interface IssuedCredentialRecord {
  /** The resource the credential was issued for. */
  ownerId: string;
  purpose: string;
  /** Whether it is a token of the token store (revoked there too). */
  bearer: boolean;
  expiresAtMs: number;
  /** What else the credential is bound to (e.g. a port and its auth nonce). */
  scope?: Record<string, string>;
}

export interface IssuedCredentials {
  /** Issues a bearer token authenticating as the owner (principal `principal`, subject = ownerId); returns it in clear. */
  issueBearer(tx: Transaction, deps: HandlerDeps, owner: CredentialOwner, ttlMs: number, description: string): Promise<string>;
  /** Issues an opaque token `${prefix}<random>`, bound to `scope` if given; returns it in clear. */
  issueOpaque(tx: Transaction, deps: HandlerDeps, owner: CredentialOwner, ttlMs: number, prefix: string, scope?: Record<string, string>): Promise<string>;
  /** The owner (and scope) an opaque token of `purpose` opens, or undefined for an unknown, expired or revoked one. */
  resolve(
    deps: Pick<HandlerDeps, "store" | "clock">,
    token: string,
    purpose: string,
  ): Promise<{ organizationId: string; ownerId: string; scope: Record<string, string> } | undefined>;
  /** Revokes every credential issued for the owner; call it in the transaction that removes it. Returns how many. */
  revokeAll(tx: Transaction, deps: Pick<HandlerDeps, "tokens">, organizationId: string, ownerId: string): Promise<number>;
}

export interface CredentialOwner {
  organizationId: string;
  ownerId: string;
  principal: Principal;
  purpose: string;
}

export function issuedCredentials(name: string, kind: string): IssuedCredentials & { spec: CollectionSpec<IssuedCredentialRecord> } {
  const spec = plainCollection<IssuedCredentialRecord>(name, kind);
  const record = (owner: CredentialOwner, bearer: boolean, expiresAtMs: number): IssuedCredentialRecord => ({
    ownerId: owner.ownerId,
    purpose: owner.purpose,
    bearer,
    expiresAtMs,
  });
  return {
    spec,
    async issueBearer(tx, deps, owner, ttlMs, description) {
      const { token, tokenId } = await deps.tokens.issue(
        { organizationId: owner.organizationId, subjectId: owner.ownerId, principal: owner.principal },
        { ttlMs, description },
      );
      await tx.collection(spec).insert({ id: tokenId, organizationId: owner.organizationId, value: record(owner, true, deps.clock.nowMs() + ttlMs) });
      return token;
    },
    async issueOpaque(tx, deps, owner, ttlMs, prefix, scope) {
      const token = `${prefix}${randomBytes(32).toString("base64url")}`;
      const value = { ...record(owner, false, deps.clock.nowMs() + ttlMs), ...(scope ? { scope } : {}) };
      await tx.collection(spec).insert({ id: hashToken(token), organizationId: owner.organizationId, value });
      return token;
    },
    async resolve(deps, token, purpose) {
      if (token.length === 0 || token.length > 4096) return undefined;
      const found = await deps.store.collection(spec).get(hashToken(token));
      if (!found || found.value.bearer || found.value.purpose !== purpose || deps.clock.nowMs() >= found.value.expiresAtMs) return undefined;
      return { organizationId: found.organizationId, ownerId: found.value.ownerId, scope: found.value.scope ?? {} };
    },
    async revokeAll(tx, deps, organizationId, ownerId) {
      const issued = await recordsWhere(tx, spec, organizationId, (c) => c.ownerId === ownerId);
      for (const r of issued) {
        if (r.value.bearer) await deps.tokens.revoke(r.id, { organizationId });
        await tx.collection(spec).delete(r.id, { organizationId });
      }
      return issued.length;
    },
  };
}
