import type { DescMessage, Message } from "@bufbuild/protobuf";
import type { Session } from "../session/session";

/** ListQuery narrows a list: labels, a project, and filters some kinds take (a VM, a cluster). */
export interface ListQuery {
  readonly labelSelector?: string;
  readonly projectId?: string;
  readonly vmId?: string;
  readonly clusterId?: string;
  readonly nodeId?: string;
}

/** Names turns ids into names for table columns; an id it does not know prints as it is. */
export interface Names {
  node(id: string): string;
  project(id: string): string;
  pool(id: string): string;
  cluster(id: string): string;
  vm(id: string): string;
}

/** Column is one column of a `get` table. */
export interface Column<T> {
  readonly header: string;
  readonly value: (item: T, names: Names) => string;
  /** wide columns are shown with `-o wide` only. */
  readonly wide?: boolean;
  /** project columns are shown when the listing spans projects. */
  readonly project?: boolean;
}

/** WatchChange is one message of a watch: what happened, and the object (absent for bookmarks). */
export interface WatchChange<T> {
  readonly type: string;
  readonly object?: T;
}

/** Created is what a create answered: the object, and secrets the server shows only once. */
export interface Created<T> {
  readonly object: T;
  readonly response: Message;
  readonly responseSchema: DescMessage;
  /** secrets are printed once, e.g. a service account's token. */
  readonly secrets?: Readonly<Record<string, string>>;
}

/** DeleteOptions are the flags `delete` passes on. */
export interface DeleteOptions {
  readonly force?: boolean;
  readonly detachVolumes?: boolean;
}

/** KindDef describes one resource kind to the generic verbs (get, describe, create, delete, watch). */
export interface KindDef<T extends Message> {
  /** name is the singular used on the command line, e.g. `vm`. */
  readonly name: string;
  readonly plural: string;
  readonly aliases?: readonly string[];
  /** kind is the API's name of the type, e.g. VirtualMachine (used by `-o name` and `create -f`). */
  readonly kind: string;
  readonly schema: DescMessage;
  readonly projectScoped?: boolean;
  /** named kinds have a name field; the others are addressed by id. */
  readonly nameOf: (item: T) => string;
  readonly idOf: (item: T) => string;
  /** lookups are the id → name tables the columns need. */
  readonly lookups?: readonly (keyof Names)[];
  readonly columns: readonly Column<T>[];
  readonly list: (session: Session, query: ListQuery) => Promise<T[]>;
  readonly get?: (session: Session, id: string) => Promise<T>;
  /** requires names flags a kind cannot list without, e.g. snapshots without a VM. */
  readonly create?: {
    readonly schema: DescMessage;
    readonly call: (session: Session, request: Message) => Promise<Created<T>>;
  };
  readonly remove?: (session: Session, item: T, options: DeleteOptions) => Promise<void>;
  readonly watch?: (session: Session, query: ListQuery, signal: AbortSignal) => AsyncIterable<WatchChange<T>>;
  readonly watchOne?: (session: Session, id: string, signal: AbortSignal) => AsyncIterable<WatchChange<T>>;
  /** examples are shown in `get --help`. */
  readonly note?: string;
}

/** ResourceKind is a KindDef with its item type erased, as the registry holds them. */
export type ResourceKind = KindDef<Message>;

/** TypedKind is a kind that keeps its item type for the commands written for it, and fits the registry. */
export type TypedKind<T extends Message> = KindDef<T> & ResourceKind;

/** defineKind checks a kind against its item type and makes it fit the registry too. */
export function defineKind<T extends Message>(def: KindDef<T>): TypedKind<T> {
  return def as TypedKind<T>;
}

/** allPages calls a list method page after page and gathers the items. */
export async function allPages<T>(
  page: (pageToken: string) => Promise<{ items: T[]; next: string }>,
): Promise<T[]> {
  const all: T[] = [];
  let token = "";
  for (let i = 0; i < 10_000; i++) {
    const answer = await page(token);
    all.push(...answer.items);
    token = answer.next;
    if (!token) break;
  }
  return all;
}

/** enumName prints an enum value by its short name (RUNNING), or `-` when unset. */
export function enumName(e: Record<number, string>, value: number): string {
  return value === 0 ? "-" : (e[value] ?? String(value));
}

/** eventTypeName prints a watch's event type (CREATED, UPDATED, DELETED, BOOKMARK). */
export function eventTypeName(value: number): string {
  return ["UNSPECIFIED", "CREATED", "UPDATED", "DELETED", "BOOKMARK"][value] ?? String(value);
}
