import type { Timestamp } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import type { compute } from "@limiquantix/api";

/** IssuedCredentials are a node's credentials as JoinNode and RefreshNodeCredentials hand them out. */
export interface IssuedCredentials {
  readonly accessToken: string;
  readonly accessTokenExpireTime?: Timestamp;
  readonly refreshToken: string;
}

function millisOf(ts: Timestamp | undefined): number {
  return ts ? Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6) : 0;
}

/**
 * SimNodeCredentials holds one simulated node's credentials, as a real agent would: it hands out
 * the access token until two thirds of its life have passed, then trades the refresh token for a
 * new pair with NodeJoinService/RefreshNodeCredentials. Refreshes never overlap: a refresh token
 * presented twice would revoke the node's credentials.
 */
export class SimNodeCredentials {
  private accessToken: string;
  private refreshToken: string;
  private renewAt: number;
  private refreshing: Promise<string> | undefined;

  constructor(
    private readonly client: Client<typeof compute.NodeJoinService>,
    first: IssuedCredentials,
    private readonly now: () => number = Date.now,
  ) {
    this.accessToken = first.accessToken;
    this.refreshToken = first.refreshToken;
    this.renewAt = this.renewalOf(first);
  }

  /** token returns a current access token, refreshing the credentials first when they are due. */
  token(): Promise<string> {
    if (this.now() < this.renewAt) return Promise.resolve(this.accessToken);
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<string> {
    const next = await this.client.refreshNodeCredentials({ refreshToken: this.refreshToken });
    this.accessToken = next.accessToken;
    this.refreshToken = next.refreshToken;
    this.renewAt = this.renewalOf(next);
    return next.accessToken;
  }

  private renewalOf(c: IssuedCredentials): number {
    const now = this.now();
    return now + ((millisOf(c.accessTokenExpireTime) - now) * 2) / 3;
  }
}
