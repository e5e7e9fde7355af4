import { currentCallAttribution } from "@limiquantix/domain";
import type { SqlParams } from "./filter-sql";

/**
 * attributionSource is a FROM item that hands the current call's request id and principal to
 * the change-log triggers: it sets lqx.request_id and lqx.principal for the writing transaction
 * (set_config with is_local), in the writing statement itself, so a write outside a unit of work
 * needs no transaction of its own. Outside a call both are empty and the entry records neither.
 */
export function attributionSource(params: SqlParams): string {
  const call = currentCallAttribution();
  const requestId = params.add(call?.requestId ?? "", "::text");
  const principal = params.add(call?.principal ?? "", "::text");
  return `(SELECT set_config('lqx.request_id', ${requestId}, true), set_config('lqx.principal', ${principal}, true)) AS lqx_call`;
}
