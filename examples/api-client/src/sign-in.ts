// Signing in: AuthService.Login trades a username and password for an access token, which every
// other call carries as `authorization: Bearer <token>`. Access tokens are short-lived (15 minutes
// by default); AuthService.Refresh trades the session's refresh token for new ones.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { iam } from "@limiquantix/api";

/** SignInOptions tune the session: how long before its access token expires it is renewed. */
export interface SignInOptions {
  /** Renew the access token this long before it expires (default one minute). */
  readonly refreshBeforeMs?: number;
}

/**
 * signIn logs in over `transport` (Login needs no token) and returns an interceptor that sends the
 * session's access token with every call, renewing it with AuthService.Refresh shortly before it
 * expires. Calls made while a renewal runs wait for that one renewal: a refresh token is spent
 * once, and the server ends a session whose refresh token is used twice.
 */
export async function signIn(
  transport: Transport,
  username: string,
  password: string,
  options: SignInOptions = {},
): Promise<Interceptor> {
  const auth = createClient(iam.AuthService, transport);
  const refreshBeforeMs = options.refreshBeforeMs ?? 60_000;
  let tokens: Pick<iam.LoginResponse, "accessToken" | "accessTokenExpireTime" | "refreshToken"> =
    await auth.login({ username, password });
  let renewing: Promise<void> | undefined;
  const expiresAt = () =>
    tokens.accessTokenExpireTime ? timestampDate(tokens.accessTokenExpireTime).getTime() : Infinity;
  const accessToken = async (): Promise<string> => {
    if (Date.now() >= expiresAt() - refreshBeforeMs) {
      renewing ??= auth
        .refresh({ refreshToken: tokens.refreshToken })
        .then((renewed) => {
          tokens = renewed;
        })
        .finally(() => {
          renewing = undefined;
        });
      await renewing;
    }
    return tokens.accessToken;
  };
  return (next) => async (req) => {
    req.header.set("authorization", `Bearer ${await accessToken()}`);
    return next(req);
  };
}
