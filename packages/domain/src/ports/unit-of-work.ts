import type { KindRepositories, ResourceKind } from "../resources";
import type { AuditRepository } from "./audit-repository";
import { serviceIdentifier } from "./service-identifier";

/**
 * Repositories bundles every repository, as one store (or one transaction) offers them: each
 * kind's repository under the `repositoryKey` of its row in RESOURCES (`repos.vms`,
 * `repos.nodes` …), plus the audit log.
 */
export interface Repositories extends KindRepositories {
  readonly audit: AuditRepository;
}
/** Repositories is the service identifier of the Repositories bundle. */
export const Repositories = serviceIdentifier<Repositories>("Repositories");

/**
 * UnitOfWork runs several writes as one: either all are stored or none is. Inside `run`, the
 * repositories handed to the callback see the work's own writes; nobody else sees them before
 * the work returns. If the callback throws, every write is undone and the error is rethrown.
 */
export interface UnitOfWork {
  /** run executes work in one transaction and returns its result. Calls to run do not nest. */
  run<R>(work: (tx: Repositories) => Promise<R>, options?: UnitOfWorkOptions): Promise<R>;
}

/** UnitOfWorkOptions are hints a store may use to run a work faster; the work's outcome is the same without them. */
export interface UnitOfWorkOptions {
  /**
   * Resources the work reads first (through its repositories, as it would anyway): a store may
   * read them as the transaction begins, in the same round trip (PostgreSQL), so the work's own
   * read of each needs no statement.
   */
  readonly reads?: readonly ReadHint[];
}

/** ReadHint names one resource a unit of work will read, by kind and id. */
export interface ReadHint {
  readonly kind: ResourceKind;
  readonly id: string;
}
/** UnitOfWork is the service identifier of the UnitOfWork port. */
export const UnitOfWork = serviceIdentifier<UnitOfWork>("UnitOfWork");
