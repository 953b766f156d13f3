// The SCM catalogue: the repositories and organizations this server pretends the SCM hosts have.
// The server never calls a real SCM; SearchRepositories, ListSCMOrganizations,
// CheckRepositoryAccess and ParseContextURL answer from this catalogue, deterministically:
//
// - A built-in fixture (below) exists on every host the runner knows (github.com, gitlab.com,
//   bitbucket.org, and any host with an SCM integration). Entries marked with `scms` exist only on
//   hosts of those SCM systems (e.g. GitLab subgroups).
// - An organization adds its own entries to the `scmRepositories` and `scmOrganizations`
//   collections (addScmRepository / addScmOrganization, or `server.deps.store` in tests). An added
//   repository with the host, owner and name of a fixture repository replaces it (e.g. to make
//   "org/repo" private).
//
// Access: a public repository is readable by every caller authenticated with the host; a private
// one only by the subjects in its `members`. An organization without `members` has every
// authenticated caller as a member.
import { scmOrganizations, scmRepositories, type ScmOrganizationRecord, type ScmRepositoryRecord } from "./records.js";
import type { CollectionSpec, Store, Transaction } from "../../store/store.js";
import { normalizeHost } from "./host-name.js";
import { recordsWhere } from "../../store/scan.js";

type Fixture<T> = Omit<T, "host"> & { scms?: readonly string[] };

/** The built-in repositories, on every known host. */
const fixtureRepositories: readonly Fixture<ScmRepositoryRecord>[] = [
  {
    owner: "org",
    name: "repo",
    defaultBranch: "main",
    branches: ["main", "develop", "feature/login", "release/2025.01"],
    tags: ["v1.0.0", "v1.1.0"],
    pullRequests: [
      {
        id: "1",
        title: "Add a login page",
        fromBranch: "feature/login",
        toBranch: "main",
        author: "alice",
        state: "open",
        headSha: "3f786850e387550fdab836ed7e6dc881de23001b",
      },
      { id: "2", title: "Release 2025.01", fromBranch: "release/2025.01", toBranch: "main", author: "bob", state: "merged", draft: false },
      { id: "5", title: "WIP: dark mode", fromBranch: "develop", toBranch: "main", author: "alice", state: "open", draft: true },
    ],
    issues: [
      { id: "3", title: "The login page does not load in Safari" },
      { id: "4", title: "Document the release process" },
    ],
  },
  { owner: "org", name: "private-repo", private: true, members: [] },
  { owner: "alice", name: "repo", parent: "org/repo", branches: ["main", "fix/typo"] },
  { owner: "gitpod-io", name: "gitpod", branches: ["main"], tags: ["v0.1.0"] },
  { owner: "gitpod-io", name: "empty" },
  { owner: "gitpod-io", name: "template-typescript-node" },
  { owner: "gitpod-io", name: "template-python-flask" },
  { owner: "gitpod-io", name: "website", defaultBranch: "master", branches: ["master"] },
  { owner: "org/platform", name: "api", scms: ["gitlab"], branches: ["main", "feature/v2"] },
];

/** The built-in organizations; every authenticated caller belongs to them. */
const fixtureOrganizations: readonly Fixture<ScmOrganizationRecord>[] = [{ name: "gitpod-io" }, { name: "org" }, { name: "org/platform", scms: ["gitlab"] }];

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The catalogue entries on `host` (served by `scmId`) for the organization: the fixture's, minus
 * those an added entry with the same `key` (case-insensitive) replaces, then the added ones.
 */
async function entriesOn<T extends { host: string }>(
  tx: Transaction,
  organizationId: string,
  host: string,
  scmId: string,
  spec: CollectionSpec<T>,
  fixture: readonly Fixture<T>[],
  key: (entry: Omit<T, "host">) => string,
): Promise<T[]> {
  const h = normalizeHost(host);
  const own = (await recordsWhere(tx, spec, organizationId, (v) => normalizeHost(v.host) === h)).map((r) => ({ ...r.value, host: h }));
  const replaced = new Set(own.map((o) => key(o).toLowerCase()));
  const builtIn = fixture
    .filter((e) => (!e.scms || e.scms.includes(scmId)) && !replaced.has(key(e).toLowerCase()))
    .map(({ scms: _scms, ...e }) => ({ ...e, host: h }) as unknown as T);
  return [...builtIn, ...own];
}

/** Every catalogue repository on `host` (served by `scmId`) for the organization. */
export function repositoriesOn(tx: Transaction, organizationId: string, host: string, scmId: string): Promise<ScmRepositoryRecord[]> {
  return entriesOn(tx, organizationId, host, scmId, scmRepositories, fixtureRepositories, (r) => `${r.owner}/${r.name}`);
}

/** Every catalogue organization on `host` (served by `scmId`) for the organization. */
export function organizationsOn(tx: Transaction, organizationId: string, host: string, scmId: string): Promise<ScmOrganizationRecord[]> {
  return entriesOn(tx, organizationId, host, scmId, scmOrganizations, fixtureOrganizations, (o) => o.name);
}

/** The repository owner/name on `host` (names compare case-insensitively, as on GitHub), or undefined. */
export async function findRepository(
  tx: Transaction,
  organizationId: string,
  host: string,
  scmId: string,
  owner: string,
  name: string,
): Promise<ScmRepositoryRecord | undefined> {
  return (await repositoriesOn(tx, organizationId, host, scmId)).find((r) => sameName(r.owner, owner) && sameName(r.name, name));
}

/** Whether `subjectId` may read `repo`. */
export function canRead(repo: ScmRepositoryRecord, subjectId: string): boolean {
  return !repo.private || (repo.members ?? []).includes(subjectId);
}

/** Whether `subjectId` belongs to `org`. */
export function isMember(org: ScmOrganizationRecord, subjectId: string): boolean {
  return !org.members || org.members.includes(subjectId);
}

export function defaultBranchOf(repo: ScmRepositoryRecord): string {
  return repo.defaultBranch ?? "main";
}

export function branchesOf(repo: ScmRepositoryRecord): string[] {
  return repo.branches ?? [defaultBranchOf(repo)];
}

/** The web address of a repository or organization on `host`. */
export function webUrl(host: string, path: string): string {
  return `https://${host}/${path}`;
}

/** The HTTPS clone address of owner/name on `host`. */
export function cloneUrl(host: string, ownerAndName: string): string {
  return `https://${host}/${ownerAndName}.git`;
}

/** Adds a repository to an organization's catalogue (tests, embedders). Returns its record id. */
export async function addScmRepository(store: Store, organizationId: string, repository: ScmRepositoryRecord, id?: string): Promise<string> {
  const key = id ?? `${normalizeHost(repository.host)}/${repository.owner}/${repository.name}`.toLowerCase();
  await store.collection(scmRepositories).insert({ id: `${organizationId}/${key}`, organizationId, value: repository });
  return `${organizationId}/${key}`;
}

/** Adds an organization to an organization's catalogue (tests, embedders). Returns its record id. */
export async function addScmOrganization(store: Store, organizationId: string, organization: ScmOrganizationRecord): Promise<string> {
  const id = `${organizationId}/${normalizeHost(organization.host)}/${organization.name}`.toLowerCase();
  await store.collection(scmOrganizations).insert({ id, organizationId, value: organization });
  return id;
}
