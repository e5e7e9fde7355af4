import { z } from "zod";

/** ServerMode says where data lives: embedded PGlite (default), memory (`dev`), or PostgreSQL + Redis + etcd (`production`). */
export const ServerMode = z.enum(["embedded", "dev", "production"]);
/** ServerMode says where data lives. */
export type ServerMode = z.infer<typeof ServerMode>;

const Port = z.int().min(0).max(65_535);
const Seconds = z.number().positive().max(86_400);

/**
 * RedfishBmc is how one node's BMC is reached: its Redfish endpoint, the system to reset, and the
 * credentials, whose password is read from a file or an environment variable at each fencing,
 * never written in the configuration itself.
 */
const RedfishBmc = z
  .strictObject({
    /** The BMC's base URL (`https://bmc-a.example.com`); the service root is `/redfish/v1` below it. */
    endpoint: z.url({ protocol: /^https?$/, error: "must be an https:// (or, in a lab, http://) URL" }),
    /** The ComputerSystem to reset (`1`, `System.Embedded.1`); absent, the BMC must list exactly one. */
    systemId: z.string().min(1).max(256).optional(),
    username: z.string().min(1).max(256),
    /** A file whose content (trailing newline dropped) is the password. */
    passwordFile: z.string().min(1).optional(),
    /** The name of an environment variable that holds the password. */
    passwordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")
      .optional(),
    /** PEM file of the CA that signed the BMC's certificate (default: the system's trusted CAs). */
    caFile: z.string().min(1).optional(),
    /** Accept any certificate from the BMC: for labs only, the credentials could reach an impostor. */
    insecureSkipVerify: z.boolean().default(false),
  })
  .refine((b) => (b.passwordFile === undefined) !== (b.passwordEnv === undefined), {
    path: ["passwordFile"],
    message: "exactly one of passwordFile and passwordEnv must be set",
  });

/**
 * IpmiBmc is how one node's BMC is reached over IPMI (through `ipmitool`): its address, the
 * interface and the credentials, whose password is read from a file or an environment variable at
 * each fencing and handed to ipmitool through its environment, never on its command line.
 */
const IpmiBmc = z
  .strictObject({
    /** The BMC's host name or address. */
    host: z.string().min(1).max(253),
    port: z.int().min(1).max(65_535).default(623),
    /** `lanplus` (IPMI v2.0, RMCP+) unless the BMC only speaks v1.5 (`lan`). */
    interface: z.enum(["lanplus", "lan"]).default("lanplus"),
    username: z.string().min(1).max(64),
    passwordFile: z.string().min(1).optional(),
    passwordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")
      .optional(),
    /** The session's privilege level; powering off needs OPERATOR or more. */
    privilege: z.enum(["OPERATOR", "ADMINISTRATOR"]).default("ADMINISTRATOR"),
  })
  .refine((b) => (b.passwordFile === undefined) !== (b.passwordEnv === undefined), {
    path: ["passwordFile"],
    message: "exactly one of passwordFile and passwordEnv must be set",
  });

/** ConfigSchema is the whole configuration of limiquantix-server; unknown keys are refused by name. */
export const ConfigSchema = z
  .strictObject({
    mode: ServerMode.default("embedded"),
    /** Where embedded mode keeps its PGlite database (in `db/`, guarded by a lock file beside it). */
    dataDir: z.string().min(1).default("./.limiquantix"),
    server: z
      .strictObject({
        /** Loopback by default: listening on every interface (0.0.0.0, ::) is an explicit choice. */
        host: z.string().min(1).default("127.0.0.1"),
        port: Port.default(8080),
        /** Longest a request may take to arrive. */
        readTimeoutSec: Seconds.default(30),
        /** Longest a unary call may take before the server answers DeadlineExceeded. */
        requestTimeoutSec: Seconds.default(60),
        /** How long shutdown waits for in-flight calls before closing connections. */
        shutdownTimeoutSec: Seconds.default(15),
        /** Largest request body (and message after decompression) a call may send; a larger one is ResourceExhausted. */
        maxRequestBytes: z
          .int()
          .min(1024)
          .max(1024 * 1024 * 1024)
          .default(4 * 1024 * 1024),
        tls: z
          .strictObject({
            certFile: z.string().min(1),
            keyFile: z.string().min(1),
            caFile: z.string().min(1).optional(),
          })
          .optional(),
        cors: z
          .strictObject({
            /** Origins browsers may call from (`https://console.example.com`); none by default, `*` for any. */
            allowedOrigins: z
              .array(
                z
                  .string()
                  .regex(
                    /^(\*|https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?)$/,
                    "must be * or an origin such as https://console.example.com (scheme, host, optional port; no path)",
                  ),
              )
              .default([]),
            /** How long browsers may cache a preflight answer. */
            maxAgeSec: z.int().min(0).max(86_400).default(7200),
          })
          .prefault({}),
      })
      .prefault({}),
    database: z
      .strictObject({
        /** PostgreSQL connection string (production mode). */
        url: z.string().min(1).optional(),
        pool: z
          .strictObject({
            max: z.int().min(1).max(1000).default(20),
            idleTimeoutSec: Seconds.default(30),
            maxLifetimeSec: Seconds.default(1800),
            statementTimeoutMs: z.int().min(1).max(3_600_000).default(30_000),
            /** Prepare repository statements once per connection; off behind poolers that cannot keep them. */
            preparedStatements: z.boolean().default(true),
          })
          .prefault({}),
        /**
         * Most units of work (creates, deletes, moves) that wait for the running one and then share
         * one transaction (group commit); 1 runs each in its own.
         */
        maxGroupCommit: z.int().min(1).max(1000).default(32),
        migrateOnStart: z.boolean().default(true),
      })
      .prefault({}),
    redis: z
      .strictObject({
        url: z.string().min(1).optional(),
        keyPrefix: z.string().max(64).default("lqx:"),
      })
      .prefault({}),
    etcd: z
      .strictObject({
        endpoints: z.array(z.string().min(1)).default([]),
        prefix: z.string().min(1).default("/limiquantix"),
        leaseTtlSec: z.int().min(2).max(600).default(10),
      })
      .prefault({}),
    auth: z
      .strictObject({
        /** Authentication and authorisation of every call; turning it off is announced at every start. */
        enabled: z.boolean().default(true),
        /** The `iss` of access tokens. */
        issuer: z.string().min(1).max(256).default("limiquantix"),
        /** The `aud` of access tokens. */
        audience: z.string().min(1).max(256).default("limiquantix-api"),
        /** An HS256 shared secret; when set it signs access tokens instead of the Ed25519 key. */
        jwtSecret: z.string().min(32).optional(),
        /** An Ed25519 private key (PKCS#8 PEM file) shared by every replica; required in production unless jwtSecret is set. */
        signingKeyFile: z.string().min(1).optional(),
        /** The key id of signingKeyFile (default: its RFC 7638 thumbprint). */
        signingKeyId: z.string().min(1).max(128).optional(),
        /** Public keys (SPKI PEM files) of retired signing keys: their tokens verify until they expire. */
        retiredKeys: z
          .array(z.strictObject({ kid: z.string().min(1).max(128), publicKeyFile: z.string().min(1) }))
          .max(16)
          .default([]),
        accessTokenTtlSec: z.int().min(60).max(86_400).default(900),
        refreshTokenTtlSec: z
          .int()
          .min(300)
          .max(30 * 86_400)
          .default(7 * 86_400),
        /** Clock skew tolerated on a token's expiry and not-before. */
        clockSkewSec: z.int().min(0).max(300).default(30),
        /** How long a replica trusts that a session is still live (a logout reaches other replicas within this). */
        sessionCheckSec: z.int().min(0).max(60).default(5),
        passwordMinLength: z.int().min(8).max(256).default(12),
        /** Login attempts allowed per username and per source address. */
        loginRateLimit: z
          .strictObject({
            perUser: z.int().min(1).max(10_000).default(10),
            perAddress: z.int().min(1).max(100_000).default(100),
            windowSec: z.int().min(1).max(86_400).default(300),
          })
          .prefault({}),
        /** Whether /metrics asks for an access token (any signed-in principal). */
        metricsRequireToken: z.boolean().default(false),
        /** Days audit entries are kept (0 keeps them forever). */
        auditRetentionDays: z.int().min(0).max(3650).default(90),
        /**
         * The cluster CA that signs node client certificates (PEM files). Embedded mode generates
         * one into `<dataDir>/keys/` when absent and dev mode an ephemeral one; production offers
         * node certificates only with these.
         */
        nodeCa: z.strictObject({ certFile: z.string().min(1), keyFile: z.string().min(1) }).optional(),
        /** How long node client certificates are valid, in days. */
        nodeCertificateDays: z.int().min(1).max(825).default(90),
      })
      .prefault({}),
    scheduler: z
      .strictObject({
        strategy: z.enum(["spread", "pack", "balance"]).default("spread"),
        overcommit: z
          .strictObject({
            cpu: z.number().min(1).max(32).default(2.0),
            memory: z.number().min(1).max(4).default(1.5),
          })
          .prefault({}),
      })
      .prefault({}),
    drs: z
      .strictObject({
        enabled: z.boolean().default(true),
        automationLevel: z.enum(["manual", "partial", "full"]).default("partial"),
        intervalSec: z.int().min(10).max(86_400).default(300),
        migrationThreshold: z.int().min(1).max(5).default(3),
        cpuThresholdPercent: z.int().min(1).max(100).default(80),
        memoryThresholdPercent: z.int().min(1).max(100).default(85),
        /** A VM DRS moved is not moved again for balance for this many minutes (nor back where it came from). */
        cooldownMinutes: z.int().min(0).max(10_080).default(30),
        /** At most this many DRS migrations run at once in a cluster (KubeVirt's parallelMigrationsPerCluster). */
        parallelMigrationsPerCluster: z.int().min(1).max(100).default(5),
        /** At most this many DRS migrations run at once from or to one node (KubeVirt's parallelOutboundMigrationsPerNode). */
        parallelMigrationsPerNode: z.int().min(1).max(100).default(2),
        /** Applied, rejected, failed and superseded recommendations are deleted after this many hours. */
        retentionHours: z.int().min(1).max(8760).default(24),
      })
      .prefault({}),
    ha: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** How often the leader checks when each node was last heard from. */
        checkIntervalSec: z.int().min(1).max(3600).default(1),
        /** A READY node not heard from for this many check intervals becomes NOT_READY (and HA fences it). */
        failureThreshold: z.int().min(1).max(100).default(3),
        /**
         * Before HA fences a node that stopped beating, the leader calls its agent: one that answers
         * within this many ms runs on a live host (its beats are lost on the way) and is not fenced.
         * 0 fences without asking.
         */
        agentProbeTimeoutMs: z.int().min(0).max(60_000).default(2000),
        /** How often the leader's HA controller fences nodes that stopped beating and restarts the VMs of fenced ones. */
        intervalSec: z.int().min(1).max(3600).default(10),
        /** A failed fencing is tried again after this long, doubling each time up to `fenceRetryMaxSec`. */
        fenceRetryBaseSec: z.int().min(1).max(3600).default(5),
        fenceRetryMaxSec: z.int().min(1).max(86_400).default(300),
        /** How nodes are fenced out of band; a node named nowhere here waits for ConfirmNodeFenced. */
        fencing: z
          .strictObject({
            /** Nodes fenced through their BMC's Redfish service (ComputerSystem.Reset ForceOff). */
            redfish: z
              .strictObject({
                /** Longest one request to a BMC may take. */
                requestTimeoutSec: z.int().min(1).max(300).default(10),
                /** How long fencing waits for a BMC to report PowerState Off after ForceOff. */
                powerOffTimeoutSec: z.int().min(1).max(3600).default(60),
                /** How often PowerState is read while waiting for Off. */
                pollIntervalSec: z.number().min(0.05).max(60).default(2),
                /** The BMC of each node, keyed by node name. */
                nodes: z.record(z.string().min(1).max(253), RedfishBmc).default({}),
              })
              .prefault({}),
            /** Nodes fenced through their BMC over IPMI, with `ipmitool` (chassis power off). */
            ipmi: z
              .strictObject({
                /** The ipmitool program: a name looked up on PATH, or a path. */
                ipmitoolPath: z.string().min(1).default("ipmitool"),
                /** Longest one ipmitool run may take. */
                commandTimeoutSec: z.int().min(1).max(300).default(20),
                /** How long fencing waits for the BMC to report the chassis off after `power off`. */
                powerOffTimeoutSec: z.int().min(1).max(3600).default(60),
                /** How often the chassis power is read while waiting for off. */
                pollIntervalSec: z.number().min(0.05).max(60).default(2),
                /** The BMC of each node, keyed by node name. */
                nodes: z.record(z.string().min(1).max(253), IpmiBmc).default({}),
              })
              .prefault({}),
          })
          .prefault({})
          .superRefine((f, ctx) => {
            for (const name of Object.keys(f.ipmi.nodes))
              if (Object.hasOwn(f.redfish.nodes, name))
                ctx.addIssue({
                  code: "custom",
                  path: ["ipmi", "nodes", name],
                  message: `node "${name}" is already fenced through Redfish (ha.fencing.redfish.nodes); name it in one place only`,
                });
          }),
      })
      .prefault({}),
    reconciler: z
      .strictObject({
        concurrency: z.int().min(1).max(256).default(8),
        resyncIntervalSec: Seconds.default(30),
        maxBackoffSec: Seconds.default(60),
      })
      .prefault({}),
    logging: z
      .strictObject({
        level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
        /** `auto` is pretty on a terminal and JSON elsewhere. */
        format: z.enum(["json", "pretty", "auto"]).default("auto"),
      })
      .prefault({}),
    metrics: z
      .strictObject({
        enabled: z.boolean().default(true),
        path: z.string().startsWith("/").default("/metrics"),
      })
      .prefault({}),
    agents: z
      .strictObject({
        /** PEM files of the control plane's client certificate for agents and the CA that signs agents' certificates. */
        tls: z
          .strictObject({
            caFile: z.string().min(1),
            certFile: z.string().min(1),
            keyFile: z.string().min(1),
          })
          .optional(),
        callTimeoutMs: z.int().min(100).max(600_000).default(10_000),
        /** How often agents are asked to send heartbeats (the answer to each heartbeat says so). */
        heartbeatIntervalSec: Seconds.default(1),
        /**
         * A READY node's heartbeat is stored with the node (a durable write every watcher sees) this
         * often, and at once when its usage, agent version or phase changes; the beats in between only
         * go to the liveness record (in process, or Redis in production).
         */
        statusWriteIntervalSec: Seconds.default(30),
      })
      .prefault({}),
    changeLog: z
      .strictObject({
        /** How long changes are kept for watchers and replicas to resume from. */
        retentionHours: z
          .number()
          .positive()
          .max(24 * 365)
          .default(24),
        /** The most changes kept, whatever their age. */
        maxEntries: z.int().min(1000).max(1_000_000_000).default(5_000_000),
        /** How often the leader trims the log. */
        compactIntervalSec: Seconds.default(60),
      })
      .prefault({}),
    events: z
      .strictObject({
        /** Lifecycle events each replica keeps for ListEvents and for streams to resume from. */
        historySize: z.int().min(100).max(10_000_000).default(10_000),
      })
      .prefault({}),
    alerts: z
      .strictObject({
        /** How often the leader evaluates every enabled alert rule over the latest reported metrics. */
        evaluationIntervalSec: z.int().min(1).max(3600).default(15),
        /** Endpoints that receive a POST of each alert as it fires and resolves. */
        webhooks: z
          .array(
            z.strictObject({
              url: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }),
              /** Signs each body with HMAC-SHA256 (header `x-limiquantix-signature: sha256=<hex>`). */
              secret: z.string().min(16).max(1024).optional(),
              /** Longest one delivery attempt may take. */
              timeoutMs: z.int().min(100).max(120_000).default(5000),
              /** Attempts per notification, the first included; retries back off exponentially. */
              maxAttempts: z.int().min(1).max(10).default(4),
            }),
          )
          .max(32)
          .default([]),
      })
      .prefault({}),
    watch: z
      .strictObject({
        /** How often a quiet watch stream gets a BOOKMARK. */
        bookmarkIntervalSec: Seconds.default(10),
        /** Changes a watcher may have pending before it is cut off (it resumes from the revision it reached). */
        bufferSize: z.int().min(10).max(1_000_000).default(1000),
      })
      .prefault({}),
    simulation: z
      .strictObject({
        /** Simulated hypervisor nodes started beside the server (sim agents over mTLS on loopback). */
        nodes: z.int().min(0).max(64).default(3),
        bootDelayMs: z.int().min(0).max(600_000).default(1500),
        heartbeatIntervalSec: Seconds.default(1),
      })
      .prefault({}),
  })
  .superRefine((c, ctx) => {
    // A node must be able to miss a heartbeat or two before it counts as silent (and is fenced).
    const windowSec = c.ha.checkIntervalSec * c.ha.failureThreshold;
    for (const [path, interval] of [
      [["agents", "heartbeatIntervalSec"], c.agents.heartbeatIntervalSec],
      [["simulation", "heartbeatIntervalSec"], c.simulation.heartbeatIntervalSec],
    ] as const)
      if (interval * 2 > windowSec)
        ctx.addIssue({
          code: "custom",
          path: [...path],
          message: `must be at most half of ha.checkIntervalSec × ha.failureThreshold (${windowSec} s), or nodes that beat on time are taken for failed`,
        });
  });

/** Config is the validated, defaulted configuration. */
export type Config = z.infer<typeof ConfigSchema>;
/** ConfigInput is what a YAML file may hold: every key optional. */
export type ConfigInput = z.input<typeof ConfigSchema>;

/** SECRET_PATHS are the configuration keys whose values `config print` masks. */
export const SECRET_PATHS: readonly string[] = [
  "auth.jwtSecret",
  "database.url",
  "redis.url",
  "alerts.webhooks[].url",
  "alerts.webhooks[].secret",
];
