import type { Clock, EventBus, IdGenerator, Repositories, UnitOfWork } from "@limiquantix/domain";
import type { Logger } from "pino";

/** ServiceDeps are the ports every application service works through. */
export interface ServiceDeps {
  readonly repos: Repositories;
  readonly uow: UnitOfWork;
  readonly events: EventBus;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
}
