import type {
  AlertRuleRepository,
  ClusterRepository,
  DrsRecommendationRepository,
  ImageRepository,
  ProjectRepository,
  Repositories,
  StoragePoolRepository,
  VirtualNetworkRepository,
  VmSnapshotRepository,
  VolumeSnapshotRepository,
} from "@limiquantix/domain";
import { SqlAuditRepository } from "./audit-repository";
import { SqlNodeRepository } from "./node-repository";
import type { RepoContext } from "./repo-context";
import { SqlSecurityGroupRepository } from "./security-group-repository";
import { SqlAlertRepository, SqlUserRepository, SqlVolumeRepository } from "./small-repositories";
import { SqlRepository } from "./sql-repository";
import { TABLES } from "./table-map";
import { SqlVmRepository } from "./vm-repository";

/** createRepositories builds every repository over one context (the pool, or one unit of work's transaction). */
export function createRepositories(ctx: RepoContext): Repositories {
  const generic = <R>(kind: keyof typeof TABLES): R => new SqlRepository(TABLES[kind], ctx) as unknown as R;
  return {
    projects: generic<ProjectRepository>("Project"),
    clusters: generic<ClusterRepository>("Cluster"),
    nodes: new SqlNodeRepository(TABLES.Node, ctx),
    vms: new SqlVmRepository(TABLES.VirtualMachine, ctx),
    vmSnapshots: generic<VmSnapshotRepository>("VmSnapshot"),
    storagePools: generic<StoragePoolRepository>("StoragePool"),
    volumes: new SqlVolumeRepository(TABLES.Volume, ctx),
    volumeSnapshots: generic<VolumeSnapshotRepository>("VolumeSnapshot"),
    images: generic<ImageRepository>("Image"),
    networks: generic<VirtualNetworkRepository>("VirtualNetwork"),
    securityGroups: new SqlSecurityGroupRepository(TABLES.SecurityGroup, ctx),
    alerts: new SqlAlertRepository(TABLES.Alert, ctx),
    alertRules: generic<AlertRuleRepository>("AlertRule"),
    drsRecommendations: generic<DrsRecommendationRepository>("DrsRecommendation"),
    users: new SqlUserRepository(TABLES.User, ctx),
    audit: new SqlAuditRepository(ctx),
  };
}
