import { type Timestamp, timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Page, PageRequest, Resource } from "@limiquantix/domain";

/** toTimestamp turns an ISO-8601 string into a protobuf Timestamp (undefined stays undefined). */
export function toTimestamp(iso: string | undefined): Timestamp | undefined {
  return iso === undefined ? undefined : timestampFromDate(new Date(iso));
}

/** fromTimestamp turns a protobuf Timestamp into an ISO-8601 string. */
export function fromTimestamp(ts: Timestamp | undefined): string | undefined {
  return ts === undefined ? undefined : timestampDate(ts).toISOString();
}

/** NamedResource is a stored resource as every API message carries it: identity, labels and version. */
export interface NamedResource extends Resource {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** ResourceMeta is the wire form of a resource's common fields, as every resource message names them. */
export interface ResourceMeta {
  readonly id: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly resourceVersion: bigint;
  readonly createTime: Timestamp | undefined;
  readonly updateTime: Timestamp | undefined;
}

/** metaToProto writes the fields every resource message has: id, name, labels, resource_version and its times. */
export function metaToProto(r: NamedResource): ResourceMeta {
  return {
    id: r.id,
    name: r.name,
    labels: { ...r.labels },
    resourceVersion: BigInt(r.resourceVersion),
    createTime: toTimestamp(r.createdAt),
    updateTime: toTimestamp(r.updatedAt),
  };
}

/** pageRequestOf reads page_size and page_token (0 and "" mean the defaults). */
export function pageRequestOf(req: { pageSize: number; pageToken: string }): PageRequest {
  return {
    ...(req.pageSize !== 0 ? { limit: req.pageSize } : {}),
    ...(req.pageToken !== "" ? { cursor: req.pageToken } : {}),
  };
}

/** pageResponseOf gives next_page_token and total_count of a page. */
export function pageResponseOf<T>(page: Page<T>): { nextPageToken: string; totalCount: number } {
  return { nextPageToken: page.nextCursor ?? "", totalCount: page.total };
}

/** optionalString turns the proto3 empty string into undefined. */
export function optionalString(value: string): string | undefined {
  return value === "" ? undefined : value;
}

/** optionalVersion turns resource_version 0 (unset) into undefined, so updates without it do not check it. */
export function optionalVersion(value: number | bigint): number | undefined {
  const n = Number(value);
  return n === 0 ? undefined : n;
}
