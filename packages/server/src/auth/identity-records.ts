// Organizations and users: the identity the bootstrap and the config file create. They are
// plain records; the API to manage them is not part of this server (yet).
import { plainCollection } from "../store/store.js";

export interface OrganizationRecord {
  id: string;
  name: string;
}

export interface UserRecord {
  id: string;
  name: string;
  email: string;
  /** Whether the user administers its organization. */
  admin: boolean;
}

/** Organizations; each record's organizationId is its own id. */
export const organizations = plainCollection<OrganizationRecord>("organizations", "organization");
/** Users; each belongs to one organization (the record's organizationId). */
export const users = plainCollection<UserRecord>("users", "user");
