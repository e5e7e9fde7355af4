import { invalidArgument } from "@limiquantix/domain";

/** toJson serialises a value for Redis, failing with InvalidArgument (naming field) when JSON cannot carry it. */
export function toJson(field: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    // BigInt values and circular structures land here.
    const why = err instanceof Error ? err.message : String(err);
    throw invalidArgument([{ field, description: `must be JSON-serialisable (${why})` }]);
  }
  if (json === undefined) {
    throw invalidArgument([
      { field, description: "must be JSON-serialisable (got undefined or a function)" },
    ]);
  }
  return json;
}
