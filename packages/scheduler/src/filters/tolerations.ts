import type { Taint, Toleration } from "@limiquantix/domain";

/** tolerates says whether one toleration covers a taint, with Kubernetes semantics. */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect !== undefined && toleration.effect !== taint.effect) return false;
  // An absent key with Exists tolerates every taint.
  if (toleration.key === undefined) return toleration.operator === "Exists";
  if (toleration.key !== taint.key) return false;
  return toleration.operator === "Exists" || toleration.value === taint.value;
}

/** isTolerated says whether any of the tolerations covers a taint. */
export function isTolerated(tolerations: readonly Toleration[], taint: Taint): boolean {
  for (const t of tolerations) if (tolerates(t, taint)) return true;
  return false;
}

/** formatTaint renders a taint as `key=value:Effect`. */
export function formatTaint(taint: Taint): string {
  return `${taint.key}${taint.value === "" ? "" : `=${taint.value}`}:${taint.effect}`;
}
