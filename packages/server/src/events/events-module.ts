import { ChangeLog, Repositories } from "@limiquantix/domain";
import { ContainerModule } from "inversify";
import { CORE, type ServerConfig } from "../composition/core-module";
import type { ChangeRelay } from "./change-relay";
import { EVENTS } from "./events-ids";
import { WatchService } from "./watch-service";

/** eventsModule binds the events area: the watch streams every other area's handlers open. */
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
});
