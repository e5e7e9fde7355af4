import { AuditEntry, type CallAttribution, parseOrThrow } from "@limiquantix/domain";
import type { Rows } from "./table";

// The server hands the same entry to every write of a call: validate and copy it once.
const validated = new WeakMap<AuditEntry, AuditEntry>();

/**
 * auditOfCall returns the audit entry of the call a change is recorded for, validated with its
 * defaults applied and privately copied, or undefined when the call carries none. An entry that
 * is not valid is InvalidArgument: the change must not commit without its entry.
 */
export function auditOfCall(call: CallAttribution | undefined): AuditEntry | undefined {
  const given = call?.audit;
  if (given === undefined) return undefined;
  let entry = validated.get(given);
  if (!entry) {
    entry = structuredClone(parseOrThrow(AuditEntry, given, "AuditEntry"));
    validated.set(given, entry);
  }
  return entry;
}

/** storeCallAudit stores a call's audit entry unless an entry with its id is stored: a call is recorded once, by its first committed change. */
export function storeCallAudit(rows: Rows<AuditEntry>, entry: AuditEntry): void {
  if (!rows.get(entry.id)) rows.put(entry);
}
