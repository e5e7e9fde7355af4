import { visibleLength } from "../io";

/**
 * renderTable lays rows out in columns separated by three spaces, headers first, the way
 * operators' tools print them (no borders, so `awk` and `cut` work on the output).
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ""))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) =>
        i === cells.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - visibleLength(cell)),
      )
      .join("   ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n") + "\n";
}

/** age says how long ago a time was, briefly: 45s, 12m, 3h, 5d. */
export function age(time: Date | undefined, now = Date.now()): string {
  if (!time) return "<unknown>";
  const s = Math.max(0, Math.floor((now - time.getTime()) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** labelsText prints labels as `k=v,k2=v2`, or `<none>`. */
export function labelsText(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  return pairs.length > 0 ? pairs.join(",") : "<none>";
}

/** mib prints a MiB amount as MiB or GiB. */
export function mib(value: bigint | number): string {
  const n = Number(value);
  return n >= 1024 && n % 1024 === 0 ? `${n / 1024}Gi` : `${n}Mi`;
}

/** orNone prints an empty value as `<none>`. */
export function orNone(value: string | undefined): string {
  return value ? value : "<none>";
}
