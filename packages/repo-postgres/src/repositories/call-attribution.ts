import { AuditEntry, checkWriteFence, currentCallAttribution, parseOrThrow } from "@limiquantix/domain";
import { TAKE_WRITE_LOCK } from "../sql/write-lock";
import type { SqlParams } from "./filter-sql";

// The server hands the same entry to every write of a call: validate and serialise it once.
const serialized = new WeakMap<AuditEntry, string>();

/** auditText is the call's audit entry as the triggers read it (validated JSON with defaults applied), or "" when there is none. */
function auditText(entry: AuditEntry | undefined): string {
  if (entry === undefined) return "";
  let text = serialized.get(entry);
  if (text === undefined) {
    text = JSON.stringify(parseOrThrow(AuditEntry, entry, "AuditEntry"));
    serialized.set(entry, text);
  }
  return text;
}

/**
 * attributionSource is a FROM item that hands the current call's request id, principal and
 * audit entry to the change-log triggers: it sets lqx.request_id, lqx.principal and lqx.audit
 * for the writing transaction (set_config with is_local), in the writing statement itself, so a
 * write outside a unit of work needs no transaction of its own. Outside a call all are empty:
 * the entry records neither, and no audit entry is stored. The first change a transaction logs
 * with lqx.audit set stores that entry unless its id is stored (migration 6). An audit entry
 * that is not valid is InvalidArgument, before anything is written. A write made under a fence
 * (CallAttribution.fence) also calls lqx_fence in the same item, which refuses it when its
 * office has a newer token (migration 10); other writes keep the plain statement text. The item
 * takes the store's write lock first, before the statement locks its target row (see write-lock.ts).
 */
export function attributionSource(params: SqlParams): string {
  const call = currentCallAttribution();
  const audit = params.add(auditText(call?.audit), "::text");
  const requestId = params.add(call?.requestId ?? "", "::text");
  const principal = params.add(call?.principal ?? "", "::text");
  const fence = call?.fence === undefined ? undefined : checkWriteFence(call.fence);
  const fenceCall =
    fence === undefined
      ? ""
      : `, lqx_fence(${params.add(fence.name, "::text")}, ${params.add(fence.token, "::bigint")})`;
  return (
    `(SELECT ${TAKE_WRITE_LOCK}, set_config('lqx.request_id', ${requestId}, true), set_config('lqx.principal', ${principal}, true), ` +
    `set_config('lqx.audit', ${audit}, true)${fenceCall}) AS lqx_call`
  );
}
