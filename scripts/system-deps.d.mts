// Types for scripts/system-deps.mjs (plain JS so run-tests.mjs needs no loader).
export interface Requirement { what: string; packages: string[]; script?: string; present(): boolean }
export const REQUIREMENTS: Record<string, Requirement>;
export function needsOf(file: string): string[];
export function installHint(name: string): string;
export function plan(s: { missing: string[]; root: boolean; apt: boolean; ci: boolean }): { install: string[]; skip: string[]; failing: string[] };
export function install(names: string[], log: (line: string) => void): string[];
export function present(name: string): boolean;
export function pretendMissing(): string[];
