import { createRequire } from "node:module";
import { type DestinationStream, type Logger, pino } from "pino";
import type { Config } from "../config/schema";

/** NAME is the `name` field of every log line, beside pino's standard `pid` and `hostname`. */
const NAME = "limiquantix-server";

/** prettyAvailable says whether pino-pretty (a development dependency) is installed. */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve("pino-pretty");
    return true;
  } catch {
    return false;
  }
}

/**
 * createLogger makes the server's pino logger: JSON lines with pino's standard fields, or pretty
 * lines when asked (or on a terminal) and pino-pretty is installed.
 */
export function createLogger(
  logging: Config["logging"],
  stream: NodeJS.WritableStream = process.stdout,
): Logger {
  const wanted =
    logging.format === "pretty" ||
    (logging.format === "auto" && Boolean((stream as { isTTY?: boolean }).isTTY));
  if (wanted && prettyAvailable()) {
    return pino({
      name: NAME,
      level: logging.level,
      transport: {
        target: "pino-pretty",
        options: { colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" },
      },
    });
  }
  const logger = pino({ name: NAME, level: logging.level }, stream as DestinationStream);
  if (logging.format === "pretty")
    logger.warn("logging.format is pretty, but pino-pretty is not installed: logging JSON");
  return logger;
}

export type { Logger };
