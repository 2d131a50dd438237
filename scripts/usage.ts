/**
 * `--help` and unknown flags for the repo's long-running scripts (bench, reliability), checked
 * before anything starts: `--help` prints the usage and exits 0 with no side effect; an unknown
 * argument prints it to stderr and exits 64 (EX_USAGE), like `realmgate`.
 * @param known flags taken as they are (`--quick`) or as prefixes ending in `=` (`--only=`).
 */
export function handleUsage(argv: readonly string[], usage: string, known: readonly string[]): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage.trim()}\n`);
    process.exit(0);
  }
  const unknown = argv.filter((a) => !known.some((k) => (k.endsWith('=') ? a.startsWith(k) : a === k)));
  if (unknown.length > 0) {
    process.stderr.write(`unknown argument${unknown.length > 1 ? 's' : ''}: ${unknown.join(' ')}\n\n${usage.trim()}\n`);
    process.exit(64);
  }
}
