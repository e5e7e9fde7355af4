// In-process adapters for every LimiQuantix port.
export { Mutex, type Release } from "./mutex";
export { MemoryStore } from "./store";
export { createRepositories } from "./repositories/create-repositories";
export { MemoryUnitOfWork } from "./unit-of-work";
