// Whether a caller administers its organization: a user whose record has the admin flag.
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import type { Transaction } from "../store/store.js";
import type { Caller } from "./caller.js";
import { users } from "./identity-records.js";

export async function isOrganizationAdmin(store: Transaction, caller: Caller): Promise<boolean> {
  if (caller.subject.principal !== Principal.USER) return false;
  const user = await store.collection(users).get(caller.subject.id, { organizationId: caller.organizationId });
  return user?.value.admin === true;
}
