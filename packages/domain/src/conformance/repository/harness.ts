import type { Repositories, UnitOfWork } from "../../ports/unit-of-work";

/** RepositoryHarness is what an adapter hands the repository conformance suite: its repositories, its unit of work, and a way to shut down. */
export interface RepositoryHarness {
  readonly repos: Repositories;
  readonly uow: UnitOfWork;
  close(): Promise<void>;
}
