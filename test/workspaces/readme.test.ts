/**
 * The README's layout section names the tree as it is (every path it names exists, every
 * top-level folder and every workspace is named), and the relative links of the READMEs and docs
 * lead to files that exist, headings included, so moving a file or a heading cannot leave them
 * behind.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The paths the layout block names: `a/` at the margin, `  b/` under it means `a/b/`; placeholders cut. */
function layoutPaths(readme: string): string[] {
  const section = readme.slice(readme.indexOf('## Layout'));
  const block = section.slice(section.indexOf('```\n') + 4, section.indexOf('\n```', section.indexOf('```\n') + 4));
  const paths: string[] = [];
  let parent = '';
  for (const line of block.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (indent > 2) continue; // a description carried onto the next line
    const names =
      line
        .trim()
        .split(/\s{2,}/)[0]
        ?.split(/,\s*/) ?? [];
    for (const name of names.map((entry) => entry.split('<')[0] ?? '')) {
      const path = indent === 0 ? name : `${parent}${name}`;
      paths.push(path);
      if (indent === 0) parent = name;
    }
  }
  return paths.filter((path) => path !== '');
}

const headingAnchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');

describe('the README layout', () => {
  const paths = layoutPaths(read('README.md'));

  it('names only paths that exist', () => {
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });

  it('names every top-level folder, every folder of shared/ and every workspace', () => {
    const folders = (dir: string) =>
      readdirSync(join(ROOT, dir), { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
        .map((entry) => `${dir ? `${dir}/` : ''}${entry.name}/`);
    const workspaces = (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces.map(
      (dir) => `${dir}/`,
    );
    const named = new Set(paths.map((path) => (path.endsWith('/') || path.includes('.') ? path : `${path}/`)));
    const missing = [...folders(''), ...folders('shared'), ...workspaces].filter(
      (folder) => ![...named].some((path) => path.startsWith(folder)),
    );
    expect(missing).toEqual([]);
  });
});

describe('relative links in the READMEs and docs', () => {
  const documents = [
    'README.md',
    'console/README.md',
    'local/aws-endpoint/README.md',
    'local/aws-endpoint/docs/s3.md',
    'local/runtime/README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((file) => file.endsWith('.md'))
      .map((file) => `docs/${file}`),
  ];

  it.each(documents)('%s links to files and headings that exist', (document) => {
    const broken: string[] = [];
    for (const [, target = ''] of read(document).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
      const [file = '', anchor] = target.split('#');
      const path = file === '' ? join(ROOT, document) : resolve(ROOT, dirname(document), file);
      if (relative(ROOT, path).startsWith('..')) continue; // outside the repository (the contract, for now)
      if (!existsSync(path)) {
        broken.push(`${target}: no ${relative(ROOT, path)}`);
      } else if (anchor && path.endsWith('.md')) {
        const text = readFileSync(path, 'utf8');
        const anchors = [
          ...[...text.matchAll(/^#+ (.+)$/gm)].map(([, heading = '']) => headingAnchor(heading)),
          ...[...text.matchAll(/ id="([^"]+)"/g)].map(([, id]) => id),
        ];
        if (!anchors.includes(anchor)) broken.push(`${target}: no heading #${anchor} in ${relative(ROOT, path)}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
