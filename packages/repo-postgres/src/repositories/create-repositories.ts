import { assembleRepositories, type Repositories, type RepositoryParts } from "@limiquantix/domain";
import { SqlAuditRepository } from "./audit-repository";
import { SqlNodeRepository } from "./node-repository";
import type { RepoContext } from "./repo-context";
import { SqlSecurityGroupRepository } from "./security-group-repository";
import { SqlAlertRepository, SqlUserRepository, SqlVolumeRepository } from "./small-repositories";
import { SqlRepository } from "./sql-repository";
import { TABLES } from "./table-map";
import { SqlVmRepository } from "./vm-repository";

// Kinds whose ports add methods, or that keep part of a resource outside its row (a group's
// rules), get their own class; every other kind is stored generically from its table map.
const PARTS: RepositoryParts<RepoContext> = {
  overrides: {
    Node: (ctx) => new SqlNodeRepository(TABLES.Node, ctx),
    VirtualMachine: (ctx) => new SqlVmRepository(TABLES.VirtualMachine, ctx),
    Volume: (ctx) => new SqlVolumeRepository(TABLES.Volume, ctx),
    SecurityGroup: (ctx) => new SqlSecurityGroupRepository(TABLES.SecurityGroup, ctx),
    Alert: (ctx) => new SqlAlertRepository(TABLES.Alert, ctx),
    User: (ctx) => new SqlUserRepository(TABLES.User, ctx),
  },
  generic: (kind, ctx) => new SqlRepository(TABLES[kind], ctx),
  audit: (ctx) => new SqlAuditRepository(ctx),
};

/** createRepositories builds every repository over one context (the pool, or one unit of work's transaction). */
export function createRepositories(ctx: RepoContext): Repositories {
  return assembleRepositories(PARTS, ctx);
}
