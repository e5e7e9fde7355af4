import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { DescService } from "@bufbuild/protobuf";
import {
  type Client,
  Code,
  ConnectError,
  createClient,
  type Interceptor,
  type Transport,
} from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { iam } from "@limiquantix/api";
import { CliError, ExitCode } from "../exit-codes";
import type { Terminal } from "../io";
import {
  type ConfigFile,
  type Context,
  configPath,
  readConfig,
  upsertContext,
  writeConfig,
} from "./config-store";

/** GlobalOptions are the options every command takes. */
export interface GlobalOptions {
  readonly server?: string;
  readonly token?: string;
  readonly context?: string;
  readonly color?: boolean;
}

/** RENEW_BEFORE_MS: an access token this close to its expiry is renewed before the call. */
const RENEW_BEFORE_MS = 30_000;

/** normalizeServer checks a server address and adds http:// when no scheme is given. */
export function normalizeServer(server: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `http://${server}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CliError(
      `--server ${JSON.stringify(server)} is not a URL (e.g. http://127.0.0.1:8080)`,
      ExitCode.USAGE,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new CliError(`--server must be an http:// or https:// URL (got ${server})`, ExitCode.USAGE);
  return url.origin + url.pathname.replace(/\/$/, "");
}

/** transportFor makes the transport limiqctl speaks: gRPC over HTTP/2 (cleartext for http://). */
export function transportFor(baseUrl: string, interceptors: Interceptor[] = []): Transport {
  return createGrpcTransport({ baseUrl, interceptors });
}

/**
 * Session is one run's connection to a server: it finds the server and the credentials (flags,
 * then LIMIQCTL_SERVER / LIMIQCTL_TOKEN, then the current context), sends the token with every
 * call and renews a signed-in user's access token with its refresh token, writing the renewed
 * tokens back to the configuration file.
 */
export class Session {
  readonly configFile: string;
  private cached: ConfigFile | undefined;
  private transportCache: Transport | undefined;
  private renewing: Promise<string> | undefined;

  constructor(
    readonly terminal: Terminal,
    readonly globals: GlobalOptions,
  ) {
    this.configFile = configPath(terminal.env);
  }

  /** config is the configuration file's content (read once per run). */
  config(): ConfigFile {
    this.cached ??= readConfig(this.configFile);
    return this.cached;
  }

  /** saveConfig writes the configuration file and keeps the run's copy in step. */
  saveConfig(config: ConfigFile): void {
    writeConfig(this.configFile, config);
    this.cached = config;
  }

  /** contextName is the context this run uses: --context, else the file's current context. */
  contextName(): string | undefined {
    return this.globals.context ?? this.config().currentContext;
  }

  /** context is the context this run uses, if any; --context naming an unknown one is an error. */
  context(): Context | undefined {
    const name = this.contextName();
    if (name === undefined) return undefined;
    const found = this.config().contexts.find((c) => c.name === name);
    if (!found && this.globals.context !== undefined)
      throw new CliError(
        `no context named "${name}" in ${this.configFile}; see \`limiqctl config get-contexts\``,
        ExitCode.USAGE,
      );
    return found;
  }

  /** explicitServer is the server given by flag or environment, if any. */
  explicitServer(): string | undefined {
    const given = this.globals.server ?? this.terminal.env.LIMIQCTL_SERVER;
    return given ? normalizeServer(given) : undefined;
  }

  /** serverUrl is the server this run talks to. */
  serverUrl(): string {
    const server = this.explicitServer() ?? this.context()?.server;
    if (!server)
      throw new CliError(
        "no server: sign in with `limiqctl login --server URL`, or set LIMIQCTL_SERVER",
        ExitCode.AUTH,
      );
    return server;
  }

  /** explicitToken is the token given by flag or environment, if any. */
  private explicitToken(): string | undefined {
    return this.globals.token ?? (this.terminal.env.LIMIQCTL_TOKEN || undefined);
  }

  /** storedContext is the current context when it belongs to the server of this run. */
  private storedContext(): Context | undefined {
    const context = this.context();
    if (!context) return undefined;
    const explicit = this.explicitServer();
    return explicit === undefined || explicit === context.server ? context : undefined;
  }

  /** hasCredentials says whether a call would carry a token. */
  hasCredentials(): boolean {
    const ctx = this.storedContext();
    return Boolean(this.explicitToken() || ctx?.token || ctx?.accessToken);
  }

  /** accessToken is the bearer token for the next call, renewed first when it is about to expire. */
  async accessToken(): Promise<string> {
    const explicit = this.explicitToken();
    if (explicit) return explicit;
    const ctx = this.storedContext();
    if (ctx?.token) return ctx.token;
    if (!ctx?.accessToken)
      throw new CliError(
        `not signed in to ${this.serverUrl()}: run \`limiqctl login\` (or pass --token / set LIMIQCTL_TOKEN)`,
        ExitCode.AUTH,
      );
    const expires = ctx.accessTokenExpireTime
      ? Date.parse(ctx.accessTokenExpireTime)
      : Number.POSITIVE_INFINITY;
    if (ctx.refreshToken && Date.now() >= expires - RENEW_BEFORE_MS) return this.renew();
    return ctx.accessToken;
  }

  /** renew trades the context's refresh token for new tokens, once however many calls ask at the same time. */
  renew(): Promise<string> {
    this.renewing ??= this.renewNow().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private async renewNow(): Promise<string> {
    const ctx = this.storedContext();
    if (!ctx?.refreshToken)
      throw new CliError("the session has ended: run `limiqctl login` again", ExitCode.AUTH);
    const auth = createClient(iam.AuthService, transportFor(ctx.server));
    let renewed: iam.RefreshResponse;
    try {
      renewed = await auth.refresh({ refreshToken: ctx.refreshToken });
    } catch (e) {
      const err = ConnectError.from(e);
      if (err.code === Code.Unauthenticated || err.code === Code.InvalidArgument)
        throw new CliError(
          `the session has ended (${err.rawMessage}): run \`limiqctl login\` again`,
          ExitCode.AUTH,
        );
      throw e;
    }
    const next: Context = {
      ...ctx,
      accessToken: renewed.accessToken,
      refreshToken: renewed.refreshToken,
      ...(renewed.accessTokenExpireTime
        ? { accessTokenExpireTime: timestampDate(renewed.accessTokenExpireTime).toISOString() }
        : {}),
      ...(renewed.refreshTokenExpireTime
        ? { refreshTokenExpireTime: timestampDate(renewed.refreshTokenExpireTime).toISOString() }
        : {}),
    };
    // Re-read the file: another limiqctl may have changed other contexts meanwhile.
    this.saveConfig(upsertContext(readConfig(this.configFile), next));
    return renewed.accessToken;
  }

  /** canRenew says whether an unauthenticated answer is worth one renewal and retry. */
  private canRenew(): boolean {
    if (this.explicitToken()) return false;
    const ctx = this.storedContext();
    return Boolean(ctx?.refreshToken && !ctx.token);
  }

  /** transport is the authenticated transport of this run. */
  transport(): Transport {
    if (this.transportCache) return this.transportCache;
    const bearer: Interceptor = (next) => async (req) => {
      req.header.set("authorization", `Bearer ${await this.accessToken()}`);
      try {
        return await next(req);
      } catch (e) {
        // A unary call refused because the access token expired meanwhile: renew once and retry.
        if (!req.stream && this.canRenew() && ConnectError.from(e).code === Code.Unauthenticated) {
          req.header.set("authorization", `Bearer ${await this.renew()}`);
          return await next(req);
        }
        throw e;
      }
    };
    this.transportCache = transportFor(this.serverUrl(), [bearer]);
    return this.transportCache;
  }

  /** client is a generated client of `service` over the authenticated transport. */
  client<T extends DescService>(service: T): Client<T> {
    return createClient(service, this.transport());
  }
}
