import { bindRepositories, ChangeLog, type PortBinder, UnitOfWork } from "@limiquantix/domain";
import type { PostgresStore } from "./store";

/** bindPostgresAdapters binds the Repositories bundle, each repository port, the audit log, the unit of work and the change log to a store's adapters. */
export function bindPostgresAdapters(binder: PortBinder, store: PostgresStore): void {
  bindRepositories(binder, store.repos);
  binder.bind(UnitOfWork, store.uow);
  binder.bind(ChangeLog, store.changeLog);
}
