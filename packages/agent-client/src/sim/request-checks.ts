import {
  DNS_LABEL,
  type FieldViolation,
  invalidArgument,
  isCidr,
  parseCidr,
  parseIPv4,
} from "@limiquantix/domain";
import {
  DiskBus,
  type Nic,
  RuleAction,
  RuleDirection,
  RuleProtocol,
  type SecurityRule,
  type VmDefinition,
} from "../gen/limiquantix/agent/v1/agent_pb";

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
      this.nic(`${field}.nics[${i}]`, n);
      if (nics.has(n.name)) this.add(`${field}.nics[${i}].name`, "must be unique");
      nics.add(n.name);
    });
    if (def.bootImageId !== "") this.id(`${field}.bootImageId`, def.bootImageId);
    return this;
  }

  /** nic checks one NIC: its name and network, MAC, address with prefix length, gateway, VLAN and security rules. */
  nic(field: string, n: Nic): this {
    this.name(`${field}.name`, n.name).id(`${field}.networkId`, n.networkId);
    if (n.macAddress !== "" && !MAC.test(n.macAddress))
      this.add(
        `${field}.macAddress`,
        `must be a lowercase MAC address (got ${JSON.stringify(n.macAddress)})`,
      );
    if (n.ipAddress !== "") {
      this.ipv4(`${field}.ipAddress`, n.ipAddress).range(`${field}.prefixLength`, n.prefixLength, 1, 32);
    } else if (n.prefixLength !== 0)
      this.add(`${field}.prefixLength`, `must be 0 when the NIC has no address (got ${n.prefixLength})`);
    if (n.gateway !== "") this.ipv4(`${field}.gateway`, n.gateway);
    if (n.vlanId !== 0) this.range(`${field}.vlanId`, n.vlanId, 1, 4094);
    if (n.vni !== 0) this.range(`${field}.vni`, n.vni, 1, 16_777_215);
    if (n.securityGroupIds.length > 16)
      this.add(`${field}.securityGroupIds`, `must have at most 16 items (got ${n.securityGroupIds.length})`);
    for (const [j, id] of n.securityGroupIds.entries()) this.id(`${field}.securityGroupIds[${j}]`, id);
    for (const [j, r] of n.securityRules.entries()) this.rule(`${field}.securityRules[${j}]`, r);
    return this;
  }

  /** ipv4 requires a dotted-quad IPv4 address. */
  ipv4(field: string, value: string): this {
    if (parseIPv4(value) === undefined)
      this.add(field, `must be an IPv4 address (got ${JSON.stringify(value)})`);
    return this;
  }

  /** rule checks one security rule: known enums, ports in order and only for TCP or UDP, a CIDR and a priority. */
  rule(field: string, r: SecurityRule): this {
    this.id(`${field}.groupId`, r.groupId).id(`${field}.ruleId`, r.ruleId);
    if (!(r.direction in RuleDirection) || r.direction === RuleDirection.UNSPECIFIED)
      this.add(`${field}.direction`, `must be INGRESS or EGRESS (got ${r.direction})`);
    if (!(r.protocol in RuleProtocol) || r.protocol === RuleProtocol.UNSPECIFIED)
      this.add(`${field}.protocol`, `must be TCP, UDP, ICMP or ANY (got ${r.protocol})`);
    if (!(r.action in RuleAction) || r.action === RuleAction.UNSPECIFIED)
      this.add(`${field}.action`, `must be ALLOW or DENY (got ${r.action})`);
    if (r.portFrom !== 0 || r.portTo !== 0) {
      this.range(`${field}.portFrom`, r.portFrom, 1, 65_535).range(
        `${field}.portTo`,
        r.portTo,
        r.portFrom,
        65_535,
      );
      if (r.protocol !== RuleProtocol.TCP && r.protocol !== RuleProtocol.UDP)
        this.add(`${field}.portFrom`, "must be 0 unless the protocol is TCP or UDP");
    }
    if (r.cidr !== "" && !isCidr(parseCidr(r.cidr)))
      this.add(`${field}.cidr`, `must be an IPv4 CIDR such as 0.0.0.0/0 (got ${JSON.stringify(r.cidr)})`);
    this.range(`${field}.priority`, r.priority, 1, 4096);
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
