import { type DestinationStream, type Logger, pino } from "pino";
import type { Config } from "../config/schema";

/** createLogger makes the server's pino logger: JSON, or pretty lines when asked or on a terminal. */
export function createLogger(logging: Config["logging"], stream: NodeJS.WritableStream = process.stdout): Logger {
  const pretty = logging.format === "pretty" || (logging.format === "auto" && Boolean((stream as { isTTY?: boolean }).isTTY));
  if (pretty) {
    return pino({
      level: logging.level,
      transport: { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" } },
    });
  }
  return pino({ level: logging.level, base: { service: "limiquantix-server" } }, stream as DestinationStream);
}

export type { Logger };
