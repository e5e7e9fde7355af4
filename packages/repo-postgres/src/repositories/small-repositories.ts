import type {
  Alert,
  AlertInput,
  AlertRepository,
  User,
  UserInput,
  UserRepository,
  Volume,
  VolumeInput,
  VolumePhase,
  VolumeRepository,
  VolumeTotals,
} from "@limiquantix/domain";
import { SqlRepository } from "./sql-repository";

/** SqlVolumeRepository stores volumes; the pool is a generated column with a foreign key. */
export class SqlVolumeRepository
  extends SqlRepository<Volume, VolumeInput, VolumePhase>
  implements VolumeRepository
{
  async sumSizeByPool(poolId: string): Promise<number> {
    const res = await this.guard(() =>
      this.ctx.db.query<{ total: number }>(
        "SELECT coalesce(sum((t.spec ->> 'sizeGib')::bigint), 0)::float8 AS total FROM volumes t WHERE t.pool_id = $1::text",
        [poolId],
      ),
    );
    return Number(res.rows[0]?.total ?? 0);
  }

  async totalsByProject(projectId: string): Promise<VolumeTotals> {
    const res = await this.guard(() =>
      this.ctx.db.query<{ volumes: number; storage_gib: number }>(
        `SELECT count(*)::int AS volumes, coalesce(sum((t.spec ->> 'sizeGib')::bigint), 0)::float8 AS storage_gib
         FROM volumes t WHERE t.project_id = $1::text`,
        [projectId],
      ),
    );
    const row = res.rows[0];
    return { volumes: Number(row?.volumes ?? 0), storageGib: Number(row?.storage_gib ?? 0) };
  }
}

/** SqlAlertRepository stores alerts; unresolved ones are indexed by fingerprint. */
export class SqlAlertRepository
  extends SqlRepository<Alert, AlertInput, Alert["state"]>
  implements AlertRepository
{
  findActiveByFingerprint(fingerprint: string): Promise<Alert | undefined> {
    return this.guard(() =>
      this.selectOne("t.fingerprint = $1::text AND t.state <> 'RESOLVED' ORDER BY t.id", [fingerprint]),
    );
  }
}

/** SqlUserRepository stores users; usernames and emails are unique columns. */
export class SqlUserRepository extends SqlRepository<User, UserInput> implements UserRepository {
  findByEmail(email: string): Promise<User | undefined> {
    return this.guard(() => this.selectOne("t.email = $1::text", [email]));
  }
}
