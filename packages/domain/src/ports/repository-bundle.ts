import type { Resource } from "../common";
import {
  RESOURCE_KINDS,
  RESOURCES,
  type RepositoryOf,
  type ResourceInputOf,
  type ResourceKind,
  type ResourceOf,
} from "../resources";
import { AuditRepository } from "./audit-repository";
import type { PortBinder } from "./port-binder";
import type { NamedRepository } from "./repository";
import type { ServiceIdentifier } from "./service-identifier";
import { Repositories } from "./unit-of-work";

/**
 * SpecialRepositoryKind names the kinds whose repository port adds methods to the generic
 * NamedRepository (`NodeRepository.listSchedulable` …): an adapter must build those itself.
 */
export type SpecialRepositoryKind = {
  [K in ResourceKind]: NamedRepository<ResourceOf<K>, ResourceInputOf<K>> extends RepositoryOf<K> ? never : K;
}[ResourceKind];

/**
 * RepositoryOverrides are an adapter's own repositories, built from its context C: required for
 * every SpecialRepositoryKind (so a new kind with extra methods does not compile until its
 * adapter has them), optional for the others, which otherwise get the adapter's generic one.
 */
export type RepositoryOverrides<C> = {
  readonly [K in SpecialRepositoryKind]: (context: C) => RepositoryOf<K>;
} & {
  readonly [K in Exclude<ResourceKind, SpecialRepositoryKind>]?: (context: C) => RepositoryOf<K>;
};

/** RepositoryParts are what assembleRepositories builds a bundle from. */
export interface RepositoryParts<C> {
  /** The adapter's own repositories. */
  readonly overrides: RepositoryOverrides<C>;
  /** The adapter's generic repository of a kind, driven by its descriptor (`resourceDescriptor(kind)`). */
  readonly generic: (kind: ResourceKind, context: C) => NamedRepository<Resource, never>;
  /** The audit log. */
  readonly audit: (context: C) => AuditRepository;
}

/**
 * assembleRepositories builds a Repositories bundle over one adapter context (a connection, a
 * transaction …): for every kind of RESOURCES its override when there is one, else the generic
 * repository, each under its `repositoryKey`; then the audit log.
 */
export function assembleRepositories<C>(parts: RepositoryParts<C>, context: C): Repositories {
  const overrides = parts.overrides as Partial<Record<ResourceKind, (context: C) => unknown>>;
  const bundle: Record<string, unknown> = {};
  for (const kind of RESOURCE_KINDS) {
    const own = overrides[kind];
    bundle[RESOURCES[kind].repositoryKey] = own ? own(context) : parts.generic(kind, context);
  }
  bundle.audit = parts.audit(context);
  return bundle as unknown as Repositories;
}

/**
 * bindRepositories binds the Repositories bundle, each kind's repository port (the `port` of its
 * row in RESOURCES) and the AuditRepository to the repositories of one bundle.
 */
export function bindRepositories(binder: PortBinder, repos: Repositories): void {
  binder.bind(Repositories, repos);
  for (const kind of RESOURCE_KINDS) {
    const { port, repositoryKey } = RESOURCES[kind];
    binder.bind(port as ServiceIdentifier<unknown>, repos[repositoryKey]);
  }
  binder.bind(AuditRepository, repos.audit);
}
