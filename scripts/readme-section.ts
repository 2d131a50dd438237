/**
 * Puts generated markdown into README.md between `<!-- NAME:start -->` and `<!-- NAME:end -->`,
 * so figures in the README come from the script that measured them, never typed by hand.
 * Headings are moved down two levels (a report's `#`/`##` become `###`/`####`).
 * CLI: node --import tsx scripts/readme-section.ts NAME FILE
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function replaceReadmeSection(name: string, markdown: string, readme = join(import.meta.dirname, '../README.md')): void {
  const text = readFileSync(readme, 'utf8');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README.md has no ${start} … ${end} section`);
  const body = markdown.replace(/^(#+) /gm, (_m, hashes: string) => `${hashes}## `).trim();
  writeFileSync(readme, `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`);
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const [name, file] = process.argv.slice(2);
  if (!name || !file) {
    process.stderr.write('usage: readme-section.ts NAME FILE\n');
    process.exit(1);
  }
  replaceReadmeSection(name, readFileSync(file, 'utf8'));
}
