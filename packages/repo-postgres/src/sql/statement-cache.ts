/**
 * StatementCache names the statements a process runs often, so `pg` prepares each once per
 * connection and later runs skip PostgreSQL's parse and analysis. Repository SQL comes from a
 * small set of shapes; a bounded number of texts get names (first come), and any text past the
 * bound runs unnamed as before, so a caller generating endless distinct texts cannot grow
 * every connection's set of prepared statements without limit.
 */
export class StatementCache {
  private readonly names = new Map<string, string>();

  constructor(private readonly capacity = 500) {}

  /** nameOf returns the statement name of a text, or undefined when it should run unnamed. */
  nameOf(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined || this.names.size >= this.capacity) return known;
    const name = `lqx_${this.names.size + 1}`;
    this.names.set(text, name);
    return name;
  }

  /** size is the number of named texts. */
  get size(): number {
    return this.names.size;
  }
}
