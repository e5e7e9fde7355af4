// Starts a private Redis, prints its URL, and idles until killed.
import { startPrivateRedis } from "../src/redis";

const server = await startPrivateRedis();
process.stdout.write(`${server.url}\n`);
setInterval(() => {}, 1000);
