import { ChangeLog, Repositories } from "@limiquantix/domain";
import { ContainerModule } from "inversify";
import { CORE, type ServerConfig } from "../composition/core-module";
import type { ChangeRelay } from "./change-relay";
import { EVENTS } from "./events-ids";
import type { ServerMetrics } from "../observability/metrics";
import { ChangeLogCompactor } from "./change-log-compactor";
import { eventHandler } from "./event-handler";
import type { EventLog } from "./event-log";
import { WatchService } from "./watch-service";
import { RpcRoute } from "../rpc/route";

/** eventsModule binds the events area: the watch streams every other area's handlers open, and the log's compaction on the leader. */
export const eventsModule = new ContainerModule(({ bind }) => {
  bind(EVENTS.watch)
    .toDynamicValue((c) => {
      const { watch } = c.get<ServerConfig>(CORE.config);
      return new WatchService(
        { log: c.get<ChangeLog>(ChangeLog), relay: c.get<ChangeRelay>(CORE.relay) },
        c.get<Repositories>(Repositories),
        { bookmarkIntervalMs: watch.bookmarkIntervalSec * 1000, bufferSize: watch.bufferSize },
      );
    })
    .inSingletonScope();
  bind(EVENTS.compactor)
    .toDynamicValue((c) => {
      const { changeLog } = c.get<ServerConfig>(CORE.config);
      return new ChangeLogCompactor(
        c.get<ChangeLog>(ChangeLog),
        {
          retentionMs: changeLog.retentionHours * 3_600_000,
          maxEntries: changeLog.maxEntries,
          intervalMs: changeLog.compactIntervalSec * 1000,
        },
        c.get(CORE.logger),
        c.get<ServerMetrics | undefined>(CORE.metrics),
      );
    })
    .inSingletonScope();
  bind(CORE.controller).toService(EVENTS.compactor);
  bind(RpcRoute).toDynamicValue((c) => eventHandler(c.get<EventLog>(CORE.eventLog)));
});
