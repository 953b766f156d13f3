// Bearer tokens. Only the SHA-256 of a token is stored; looking one up hashes the presented token
// and reads the record keyed by that hash (O(1)). Any principal can own tokens: users (from the
// bootstrap or config), and runners (CreateRunnerToken registers a token for the runner's subject).
import { createHash, randomBytes } from "node:crypto";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import type { Clock } from "../clock.js";
import { plainCollection, type Scope, type Store } from "../store/store.js";
import { caller, type Caller } from "./caller.js";

export interface TokenRecord {
  /** Hex SHA-256 of the token; also the record id. */
  hash: string;
  subjectId: string;
  principal: Principal;
  /** When the token stops working (ms since epoch); absent for tokens that never expire. */
  expiresAtMs?: number;
  /** Free text, e.g. "bootstrap admin" or "runner token". */
  description: string;
}

/** The token records (organizationId = the owner's organization). */
export const tokens = plainCollection<TokenRecord>("tokens", "token");

export interface TokenOwner {
  organizationId: string;
  subjectId: string;
  principal: Principal;
}

export interface IssueOptions {
  description?: string;
  /** Lifetime in ms from now; forever when absent. */
  ttlMs?: number;
}

export interface TokenStore {
  /** Creates a new random token for `owner` and returns it (the only time it is seen in clear). */
  issue(owner: TokenOwner, options?: IssueOptions): Promise<{ token: string; tokenId: string }>;
  /** Registers a given token (e.g. GITPOD_API_KEY) for `owner`. Returns its id (the hash). */
  register(token: string, owner: TokenOwner, options?: IssueOptions): Promise<{ tokenId: string }>;
  /** The caller a token authenticates, or undefined for an unknown or expired one. */
  resolve(token: string): Promise<Caller | undefined>;
  /** Makes a token stop working; with a scope, only a token of that organization. */
  revoke(tokenId: string, scope?: Scope): Promise<void>;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A new random token: "gitpod_" and 32 random bytes, base64url. */
export function newToken(): string {
  return `gitpod_${randomBytes(32).toString("base64url")}`;
}

export function createTokenStore(store: Store, clock: Clock): TokenStore {
  const records = store.collection(tokens);

  async function register(token: string, owner: TokenOwner, options: IssueOptions = {}) {
    const hash = hashToken(token);
    await records.insert({
      id: hash,
      organizationId: owner.organizationId,
      value: {
        hash,
        subjectId: owner.subjectId,
        principal: owner.principal,
        description: options.description ?? "",
        ...(options.ttlMs !== undefined ? { expiresAtMs: clock.nowMs() + options.ttlMs } : {}),
      },
    });
    return { tokenId: hash };
  }

  return {
    register,
    async issue(owner, options) {
      const token = newToken();
      const { tokenId } = await register(token, owner, options);
      return { token, tokenId };
    },
    async resolve(token) {
      if (token.length === 0 || token.length > 4096) return undefined;
      const record = await records.get(hashToken(token), { readOnly: true });
      if (!record) return undefined;
      const t = record.value;
      if (t.expiresAtMs !== undefined && clock.nowMs() >= t.expiresAtMs) return undefined;
      return caller(record.organizationId, t.subjectId, t.principal);
    },
    async revoke(tokenId, scope) {
      await records.delete(tokenId, scope);
    },
  };
}

export { Principal };
