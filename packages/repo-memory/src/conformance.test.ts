import { systemClock } from "@limiquantix/domain";
import { runRepositoryConformance } from "@limiquantix/domain/conformance";
import { createRepositories, MemoryStore, MemoryUnitOfWork } from "./index";

runRepositoryConformance("repo-memory", async () => {
  const store = new MemoryStore(systemClock);
  return { repos: createRepositories(store), uow: new MemoryUnitOfWork(store), close: async () => {} };
});
