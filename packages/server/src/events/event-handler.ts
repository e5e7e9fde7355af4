import { events } from "@limiquantix/api";
import { invalidArgument } from "@limiquantix/domain";
import { optionalString } from "../rpc/convert/common";
import { labelSelectorOf } from "../rpc/convert/request-fields";
import { type RpcRoute, route } from "../rpc/route";
import { eventToProto, severityFromProto } from "./convert/event";
import { fromRevisionOf } from "./convert/watch-event";
import type { EventFilter, EventLog } from "./event-log";

function filterOf(req: {
  kinds: readonly string[];
  resourceId: string;
  projectId: string;
  minSeverity: events.Severity;
  labelSelector: string;
}): EventFilter {
  const minSeverity = severityFromProto(req.minSeverity);
  return {
    ...(req.kinds.length > 0 ? { kinds: [...req.kinds] } : {}),
    ...(optionalString(req.resourceId) ? { resourceId: req.resourceId } : {}),
    ...(optionalString(req.projectId) ? { projectId: req.projectId } : {}),
    ...(minSeverity ? { minSeverity } : {}),
    ...labelSelectorOf(req.labelSelector),
  };
}

function cursorOf(token: string): number | undefined {
  if (token === "") return undefined;
  if (!/^\d{1,15}$/.test(token))
    throw invalidArgument([
      {
        field: "page_token",
        description: `is not a page token this service gave (got ${JSON.stringify(token.slice(0, 40))})`,
      },
    ]);
  return Number(token);
}

/** eventHandler answers EventService calls from the replica's event log. */
export function eventHandler(log: EventLog): RpcRoute {
  return route(events.EventService, {
    async listEvents(ctx, req) {
      const page = await log.list(ctx, filterOf(req), {
        limit: req.pageSize || 100,
        ...(req.pageToken ? { cursor: cursorOf(req.pageToken)! } : {}),
      });
      return {
        events: page.items.map(eventToProto),
        nextPageToken: page.nextCursor !== undefined ? String(page.nextCursor) : "",
        totalCount: page.total,
      };
    },
    async *streamEvents(ctx, req) {
      for await (const e of log.stream(ctx, filterOf(req), fromRevisionOf(req.resourceVersion)))
        yield { event: eventToProto(e) };
    },
  });
}
