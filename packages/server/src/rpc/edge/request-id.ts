import { randomUUID } from "node:crypto";

/** REQUEST_ID_HEADER carries the request id in both directions. */
export const REQUEST_ID_HEADER = "x-request-id";

const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** requestIdOf gives a call's request id: the client's when it sent a sane one (so its logs and ours agree), else a fresh one. */
export function requestIdOf(header: Headers): string {
  const given = header.get(REQUEST_ID_HEADER);
  return given !== null && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}
