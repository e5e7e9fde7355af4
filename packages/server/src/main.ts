import { main } from "./cli";

// Entry point for running from source: `tsx --conditions=limiquantix-source src/main.ts`.
void main();
