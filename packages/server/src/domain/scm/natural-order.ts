// "Natural sort order", as SearchRepositories promises: case-insensitive, and numbers by value
// (repo-2 before repo-10). Ties are broken by the plain code-point order, so the order is total
// and deterministic.
const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

export function naturalCompare(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}
