import { usageError } from "../exit-codes";
import { COMPUTE_KINDS } from "./compute-kinds";
import { IAM_KINDS } from "./iam-kinds";
import { OPS_KINDS } from "./ops-kinds";
import type { ResourceKind } from "./kind";
import { STORAGE_NETWORK_KINDS } from "./storage-network-kinds";

/** KINDS are every resource kind limiqctl knows, in the order `limiqctl get --help` lists them. */
export const KINDS: readonly ResourceKind[] = [
  ...COMPUTE_KINDS,
  ...STORAGE_NETWORK_KINDS,
  ...IAM_KINDS,
  ...OPS_KINDS,
];

/** kindNames lists the names a kind answers to on the command line. */
export function kindNames(kind: ResourceKind): string[] {
  return [kind.name, kind.plural, kind.kind.toLowerCase(), ...(kind.aliases ?? [])];
}

/** findKind looks a kind up by any of its names (vm, vms, VirtualMachine …), case-insensitively. */
export function findKind(name: string): ResourceKind | undefined {
  const wanted = name.toLowerCase();
  return KINDS.find((k) => kindNames(k).includes(wanted));
}

/** kindOrFail looks a kind up, or fails with the list of kinds there are (exit status 2). */
export function kindOrFail(name: string): ResourceKind {
  const found = findKind(name);
  if (!found)
    throw usageError(`unknown resource type "${name}"; one of: ${KINDS.map((k) => k.plural).join(", ")}`);
  return found;
}

/** splitRef splits `vm/web` into a kind and a name; a plain name keeps the given kind. */
export function splitRef(ref: string): { kind?: string; name: string } {
  const slash = ref.indexOf("/");
  if (slash <= 0) return { name: ref };
  return { kind: ref.slice(0, slash), name: ref.slice(slash + 1) };
}
