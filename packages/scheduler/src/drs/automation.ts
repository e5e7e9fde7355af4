import type { DrsAutomationLevel } from "@limiquantix/domain";
import type { DrsProposal } from "./drs-types";

/** DrsAction is what a recommendation would do: place a new VM, migrate one, or change a host's power. */
export type DrsAction = "initial-placement" | DrsProposal["type"];

/**
 * appliesAutomatically says whether a cluster at an automation level applies an action without a
 * human: manual never; partial only initial placement; full initial placement, migrations and
 * host power changes. The engine's output is the same at every level; only this decision differs.
 */
export function appliesAutomatically(level: DrsAutomationLevel, action: DrsAction): boolean {
  if (level === "manual") return false;
  if (level === "partial") return action === "initial-placement";
  return true;
}

/** splitByAutomation divides a pass's recommendations into those applied at once and those left for approval, keeping their order. */
export function splitByAutomation(
  level: DrsAutomationLevel,
  proposals: readonly DrsProposal[],
): { readonly automatic: DrsProposal[]; readonly pending: DrsProposal[] } {
  const automatic: DrsProposal[] = [];
  const pending: DrsProposal[] = [];
  for (const p of proposals) (appliesAutomatically(level, p.type) ? automatic : pending).push(p);
  return { automatic, pending };
}
