import {
  type Alert,
  type AlertInput,
  type AlertRepository,
  type AlertState,
  RESOURCES,
  type User,
  type UserInput,
  type UserRepository,
  type Volume,
  type VolumeInput,
  type VolumePhase,
  type VolumeRepository,
  type VolumeTotals,
} from "@limiquantix/domain";
import type { StoreAccess } from "../store";
import { ResourceRepository } from "./resource-repository";

/** MemoryVolumeRepository stores volumes in memory and sums their sizes per pool and per project. */
export class MemoryVolumeRepository
  extends ResourceRepository<Volume, VolumeInput, VolumePhase>
  implements VolumeRepository
{
  constructor(access: StoreAccess) {
    super(RESOURCES.Volume, access);
  }

  async sumSizeByPool(poolId: string): Promise<number> {
    let sum = 0;
    this.forEachRow((v) => {
      if (v.spec.poolId === poolId) sum += v.spec.sizeGib;
    });
    return sum;
  }

  async totalsByProject(projectId: string): Promise<VolumeTotals> {
    let volumes = 0;
    let storageGib = 0;
    this.forEachRow((v) => {
      if (v.projectId !== projectId) return;
      volumes++;
      storageGib += v.spec.sizeGib;
    });
    return { volumes, storageGib };
  }
}

/** MemoryAlertRepository stores alerts in memory and finds the active one of a fingerprint. */
export class MemoryAlertRepository
  extends ResourceRepository<Alert, AlertInput, AlertState>
  implements AlertRepository
{
  constructor(access: StoreAccess) {
    super(RESOURCES.Alert, access);
  }

  async findActiveByFingerprint(fingerprint: string): Promise<Alert | undefined> {
    return this.scan((a) => a.fingerprint === fingerprint && a.state !== "RESOLVED")[0];
  }
}

/** MemoryUserRepository stores users in memory; usernames and emails are unique. */
export class MemoryUserRepository extends ResourceRepository<User, UserInput> implements UserRepository {
  constructor(access: StoreAccess) {
    super(RESOURCES.User, access);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const index = this.descriptor.uniqueKeys.findIndex((k) => k.fields.join() === "email");
    const id = this.rows().findUnique(index, JSON.stringify([email]));
    return id === undefined ? undefined : this.find(id);
  }
}
