import { DNS_LABEL, type FieldViolation, invalidArgument } from "@limiquantix/domain";
import { DiskBus, type VmDefinition } from "../gen/limiquantix/agent/v1/agent_pb";

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;

/**
 * RequestChecks collects the field violations of one request, so a bad request is answered with
 * InvalidArgument naming every broken rule at once instead of failing somewhere deep inside.
 */
export class RequestChecks {
  private readonly violations: FieldViolation[] = [];

  /** id requires a resource id: 1–64 letters, digits, '.', '_' or '-'. */
  id(field: string, value: string): this {
    if (value.length === 0) this.add(field, "is required");
    else if (value.length > 64) this.add(field, `must be at most 64 characters (got ${value.length})`);
    else if (!ID.test(value))
      this.add(field, `must be an id of letters, digits, '.', '_' or '-' (got ${JSON.stringify(value)})`);
    return this;
  }

  /** name requires a DNS label of 1–63 characters. */
  name(field: string, value: string): this {
    if (value.length === 0) this.add(field, "is required");
    else if (value.length > 63 || !DNS_LABEL.test(value))
      this.add(
        field,
        `must be a DNS label of 1–63 lowercase letters, digits and '-' (got ${JSON.stringify(value)})`,
      );
    return this;
  }

  /** range requires an integer between min and max inclusive. */
  range(field: string, value: number | bigint, min: number, max: number): this {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      this.add(field, `must be between ${min} and ${max} (got ${n})`);
    return this;
  }

  /** text requires a non-empty string of at most max characters. */
  text(field: string, value: string, max: number): this {
    if (value.length === 0) this.add(field, "is required");
    else if (value.length > max) this.add(field, `must be at most ${max} characters (got ${value.length})`);
    return this;
  }

  /** definition checks a VM definition as the domain's VmSpec rules demand. */
  definition(field: string, def: VmDefinition | undefined): this {
    if (!def) return this.add(field, "is required");
    this.id(`${field}.vmId`, def.vmId).name(`${field}.name`, def.name);
    this.range(`${field}.vcpus`, def.vcpus, 1, 512).range(
      `${field}.memoryMib`,
      def.memoryMib,
      512,
      16 * 1024 * 1024,
    );
    if (def.disks.length > 32)
      this.add(`${field}.disks`, `must have at most 32 items (got ${def.disks.length})`);
    if (def.nics.length > 16)
      this.add(`${field}.nics`, `must have at most 16 items (got ${def.nics.length})`);
    const disks = new Set<string>();
    def.disks.forEach((d, i) => {
      this.disk(`${field}.disks[${i}]`, d.name, d.volumeId, d.bus, d.sizeGib);
      if (disks.has(d.name)) this.add(`${field}.disks[${i}].name`, "must be unique");
      disks.add(d.name);
    });
    const nics = new Set<string>();
    def.nics.forEach((n, i) => {
      this.name(`${field}.nics[${i}].name`, n.name).id(`${field}.nics[${i}].networkId`, n.networkId);
      if (n.macAddress !== "" && !MAC.test(n.macAddress))
        this.add(
          `${field}.nics[${i}].macAddress`,
          `must be a lowercase MAC address (got ${JSON.stringify(n.macAddress)})`,
        );
      if (nics.has(n.name)) this.add(`${field}.nics[${i}].name`, "must be unique");
      nics.add(n.name);
    });
    if (def.bootImageId !== "") this.id(`${field}.bootImageId`, def.bootImageId);
    return this;
  }

  /** disk checks one disk: a DNS-label name, a volume id, a known bus and a positive size. */
  disk(field: string, name: string, volumeId: string, bus: DiskBus, sizeGib: bigint): this {
    this.name(`${field}.name`, name).id(`${field}.volumeId`, volumeId);
    if (!(bus in DiskBus)) this.add(`${field}.bus`, `must be a known disk bus (got ${bus})`);
    if (sizeGib < 0n || sizeGib > 65_536n)
      this.add(`${field}.sizeGib`, `must be between 0 and 65536 (got ${sizeGib})`);
    return this;
  }

  /** add records a violation directly. */
  add(field: string, description: string): this {
    this.violations.push({ field, description });
    return this;
  }

  /** done throws InvalidArgument listing every violation, if there was any. */
  done(subject: string): void {
    if (this.violations.length > 0) throw invalidArgument(this.violations, subject);
  }
}

/** checks starts a fresh set of request checks. */
export function checks(): RequestChecks {
  return new RequestChecks();
}
