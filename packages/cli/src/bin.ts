// Runs limiqctl from source: node --import tsx --conditions=limiquantix-source src/bin.ts …
import { main } from "./cli";

await main();
