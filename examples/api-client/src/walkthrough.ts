// Five minutes with LimiQuantix: a network, a storage pool and a volume, then a VM that uses both,
// started and read back. Run a server first (`npx -y pnpm@10 start -- --dev`), then
// `LQX_PASSWORD=<admin's password> npx -y pnpm@10 --filter @limiquantix/example-api-client start [http://127.0.0.1:8080]`.
//
// The walkthrough can run any number of times against the same server: it looks its objects up by
// name and creates only what is missing, and it gives a new network an address range no other
// network of the server uses.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { compute, iam, network, rpc, storage } from "@limiquantix/api";
import { signIn } from "./sign-in";

/** NAMES are the names the walkthrough gives what it creates, so a second run finds them. */
export const NAMES = {
  network: "walkthrough-lan",
  pool: "walkthrough-pool",
  volume: "walkthrough-disk",
  vm: "walkthrough-web",
};

/** WalkthroughResult says what a run used: the objects' ids, whether it created them, and the VM's state at the end. */
export interface WalkthroughResult {
  readonly projectId: string;
  readonly network: { readonly id: string; readonly cidr: string; readonly created: boolean };
  readonly poolId: string;
  readonly volumeId: string;
  readonly vm: {
    readonly id: string;
    readonly created: boolean;
    readonly powerState: string;
    readonly nodeId: string;
  };
}

/** WalkthroughOptions tune a run: where to print, and how long to wait for the VM to run. */
export interface WalkthroughOptions {
  readonly log?: (line: string) => void;
  readonly timeoutMs?: number;
}

/** eachPage calls a list method page after page and gathers the items. */
async function eachPage<T>(
  list: (pageToken: string) => Promise<{ items: T[]; nextPageToken: string }>,
): Promise<T[]> {
  const all: T[] = [];
  let token = "";
  do {
    const page = await list(token);
    all.push(...page.items);
    token = page.nextPageToken;
  } while (token !== "");
  return all;
}

function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

function rangeOf(cidr: string): [number, number] {
  const [ip = "0.0.0.0", bits = "32"] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4ToInt(ip) / size) * size;
  return [start, start + size - 1];
}

/** freeCidr picks the first 10.20.N.0/24 that overlaps none of the given ranges. */
export function freeCidr(taken: readonly string[]): string {
  const ranges = taken.filter((c) => c.includes("/")).map(rangeOf);
  for (let n = 0; n < 256; n++) {
    const candidate = `10.20.${n}.0/24`;
    const [start, end] = rangeOf(candidate);
    if (!ranges.some(([s, e]) => start <= e && s <= end)) return candidate;
  }
  throw new Error("every 10.20.N.0/24 is taken; delete a network and run again");
}

/** walkthrough creates (or finds) a network, a pool, a volume and a VM over the given transport, starts the VM and waits until it runs. */
export async function walkthrough(
  transport: Transport,
  options: WalkthroughOptions = {},
): Promise<WalkthroughResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const projects = createClient(iam.ProjectService, transport);
  const networks = createClient(network.VirtualNetworkService, transport);
  const pools = createClient(storage.StoragePoolService, transport);
  const volumes = createClient(storage.VolumeService, transport);
  const vms = createClient(compute.VMService, transport);

  const { projects: found } = await projects.listProjects({});
  const project = found.find((p) => p.name === "default");
  if (!project) throw new Error("no default project: is this a LimiQuantix server?");

  const allNetworks = await eachPage((pageToken) =>
    networks
      .listVirtualNetworks({ pageToken })
      .then((r) => ({ items: r.virtualNetworks, nextPageToken: r.nextPageToken })),
  );
  let net = allNetworks.find((n) => n.name === NAMES.network && n.projectId === project.id);
  const netCreated = net === undefined;
  if (!net) {
    const cidr = freeCidr(allNetworks.map((n) => n.spec?.cidr ?? ""));
    const gateway = cidr.replace(/\.0\/24$/, ".1");
    ({ virtualNetwork: net } = await networks.createVirtualNetwork({
      name: NAMES.network,
      projectId: project.id,
      spec: { type: network.NetworkType.OVERLAY, cidr, gateway },
    }));
  }
  if (!net) throw new Error("the server did not return the network");
  log(`${netCreated ? "created" : "using"} network ${net.name} (${net.spec?.cidr})`);

  const allPools = await eachPage((pageToken) =>
    pools
      .listStoragePools({ pageToken })
      .then((r) => ({ items: r.storagePools, nextPageToken: r.nextPageToken })),
  );
  let pool = allPools.find((p) => p.name === NAMES.pool);
  if (!pool)
    ({ storagePool: pool } = await pools.createStoragePool({
      name: NAMES.pool,
      spec: { type: storage.StoragePoolType.LOCAL_DIR, capacityGib: 500n },
    }));
  if (!pool) throw new Error("the server did not return the storage pool");

  const projectVolumes = await eachPage((pageToken) =>
    volumes
      .listVolumes({ projectId: project.id, pageToken })
      .then((r) => ({ items: r.volumes, nextPageToken: r.nextPageToken })),
  );
  let volume = projectVolumes.find((v) => v.name === NAMES.volume);
  if (!volume)
    ({ volume } = await volumes.createVolume({
      name: NAMES.volume,
      projectId: project.id,
      spec: { poolId: pool.id, sizeGib: 20n },
    }));
  if (!volume) throw new Error("the server did not return the volume");
  log(`using pool ${pool.name} and volume ${volume.name}`);

  const projectVms = await eachPage((pageToken) =>
    vms
      .listVMs({ projectId: project.id, pageToken })
      .then((r) => ({ items: r.vms, nextPageToken: r.nextPageToken })),
  );
  let vm = projectVms.find((v) => v.name === NAMES.vm);
  const vmCreated = vm === undefined;
  if (!vm)
    ({ vm } = await vms.createVM({
      name: NAMES.vm,
      projectId: project.id,
      labels: { app: "web" },
      spec: {
        vcpus: 2,
        memoryMib: 2048n,
        disks: [{ name: "root", volumeId: volume.id }],
        nics: [{ name: "eth0", networkId: net.id }],
      },
    }));
  if (!vm) throw new Error("the server did not return the VM");
  const state = (v: compute.VirtualMachine) => compute.PowerState[v.status?.powerState ?? 0] ?? "UNKNOWN";
  log(`${vmCreated ? "created" : "using"} vm ${vm.name} on node ${vm.status?.nodeId} (${state(vm)})`);

  if (state(vm) !== "RUNNING") await vms.startVM({ id: vm.id });
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const { vm: now } = await vms.getVM({ id: vm.id });
    if (!now) throw new Error(`vm ${vm.id} disappeared`);
    if (state(now) === "RUNNING") {
      log(`vm ${now.name} is RUNNING with IPs ${now.status?.ipAddresses.join(", ") || "(none yet)"}`);
      return {
        projectId: project.id,
        network: { id: net.id, cidr: net.spec?.cidr ?? "", created: netCreated },
        poolId: pool.id,
        volumeId: volume.id,
        vm: { id: now.id, created: vmCreated, powerState: state(now), nodeId: now.status?.nodeId ?? "" },
      };
    }
    if (Date.now() > deadline)
      throw new Error(`vm ${now.name} did not reach RUNNING in time (it is ${state(now)})`);
    log(`  … ${state(now)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** describeFailure says in one line why a run failed: the code and message of an RPC error (with the request id to quote), else the error's message. */
export function describeFailure(error: unknown): string {
  if (error instanceof ConnectError) {
    const requestId = error.findDetails(rpc.RequestInfoSchema)[0]?.requestId;
    const fields = error.findDetails(rpc.BadRequestSchema)[0]?.fieldViolations.map((v) => v.field) ?? [];
    const where = fields.length > 0 ? ` (fields: ${fields.join(", ")})` : "";
    const quote = requestId ? ` [request id ${requestId}]` : "";
    const hint =
      error.code === Code.Unavailable
        ? "; is the server running at that address?"
        : error.code === Code.Unauthenticated
          ? "; check LQX_USERNAME and LQX_PASSWORD"
          : "";
    return `${Code[error.code]}: ${error.rawMessage}${where}${quote}${hint}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** main signs in with LQX_USERNAME (default admin) and LQX_PASSWORD, then runs the walkthrough against `baseUrl`. */
async function main(baseUrl: string): Promise<void> {
  const username = process.env.LQX_USERNAME || "admin";
  const password = process.env.LQX_PASSWORD;
  if (!password)
    throw new Error(
      `set LQX_PASSWORD to the password of ${username} (a new server prints the admin's at its first start)`,
    );
  // gRPC over cleartext HTTP/2; createConnectTransport({ baseUrl, httpVersion: "1.1" }) works on the same port.
  const auth = await signIn(createGrpcTransport({ baseUrl }), username, password);
  await walkthrough(createGrpcTransport({ baseUrl, interceptors: [auth] }));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2] ?? "http://127.0.0.1:8080").then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`walkthrough failed: ${describeFailure(error)}`);
      process.exit(1);
    },
  );
}
