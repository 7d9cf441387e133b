import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return path.endsWith('test-support') ? [] : sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });

describe('test support', () => {
  it('is imported by no production code (tests and the bench only)', () => {
    const files = [...sources('app'), ...sources('lib'), ...sources('components'), 'proxy.ts', 'instrumentation.ts'];
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((file) => readFileSync(file, 'utf8').includes('test-support'))).toEqual([]);
  });
});
