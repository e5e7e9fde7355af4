import type {
  Clock,
  EventBus,
  IdGenerator,
  Repositories,
  Resource,
  ResourceKind,
  UnitOfWork,
} from "@limiquantix/domain";
import type { Logger } from "pino";
import type { CachedReads } from "../events/resource-cache";

/** ServiceDeps are the ports every application service works through. */
export interface ServiceDeps {
  readonly repos: Repositories;
  readonly uow: UnitOfWork;
  readonly events: EventBus;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  /** This replica's copy of the resources, where get and list of a kind are served from it. */
  readonly cache?: { reads<T extends Resource>(kind: ResourceKind): CachedReads<T> | undefined };
}
