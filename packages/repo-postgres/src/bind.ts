import {
  AlertRepository,
  AlertRuleRepository,
  AuditRepository,
  ClusterRepository,
  DrsRecommendationRepository,
  ImageRepository,
  NodeRepository,
  type PortBinder,
  ProjectRepository,
  Repositories,
  SecurityGroupRepository,
  StoragePoolRepository,
  UnitOfWork,
  UserRepository,
  VirtualNetworkRepository,
  VmRepository,
  VmSnapshotRepository,
  VolumeRepository,
  VolumeSnapshotRepository,
} from "@limiquantix/domain";
import type { PostgresStore } from "./store";

/** bindPostgresAdapters binds the Repositories bundle, each repository port, the audit log and the unit of work to a store's adapters. */
export function bindPostgresAdapters(binder: PortBinder, store: PostgresStore): void {
  const r = store.repos;
  binder.bind(Repositories, r);
  binder.bind(UnitOfWork, store.uow);
  binder.bind(AuditRepository, store.audit);
  binder.bind(ProjectRepository, r.projects);
  binder.bind(ClusterRepository, r.clusters);
  binder.bind(NodeRepository, r.nodes);
  binder.bind(VmRepository, r.vms);
  binder.bind(VmSnapshotRepository, r.vmSnapshots);
  binder.bind(StoragePoolRepository, r.storagePools);
  binder.bind(VolumeRepository, r.volumes);
  binder.bind(VolumeSnapshotRepository, r.volumeSnapshots);
  binder.bind(ImageRepository, r.images);
  binder.bind(VirtualNetworkRepository, r.networks);
  binder.bind(SecurityGroupRepository, r.securityGroups);
  binder.bind(AlertRepository, r.alerts);
  binder.bind(AlertRuleRepository, r.alertRules);
  binder.bind(DrsRecommendationRepository, r.drsRecommendations);
  binder.bind(UserRepository, r.users);
}
