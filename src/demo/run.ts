export interface DemoOptions {
  clients?: number | undefined;
  durationMs?: number | undefined;
  serializer?: string | undefined;
}

/** Placeholder until the demo lands. */
export async function runDemo(_opts: DemoOptions): Promise<number> {
  process.stdout.write('realmgate demo: not built yet\n');
  return 0;
}
