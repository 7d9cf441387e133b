import { describe, expect, it } from 'vitest';
import { safeReturnPath } from '@/lib/format';

describe('safeReturnPath', () => {
  it.each([
    ['/dashboard', '/dashboard'],
    ['/credentials/abc/edit?tab=1#secret', '/credentials/abc/edit?tab=1#secret'],
    ['/a/../b', '/b'],
    ['/./dashboard', '/dashboard'],
    ['/%2e/dashboard', '/dashboard'],
    ['/credentials/%2F/x', '/credentials/%2F/x'],
  ])('keeps the path %j as %j', (value, expected) => {
    expect(safeReturnPath(value)).toBe(expected);
  });

  it.each([
    '//evil.example/phish',
    '/.//evil.example/x',
    '/./\\evil.example/x',
    '/%2e//evil.example/x',
    '/%2E%2E//evil.example/x',
    '/a/..//evil.example/x',
    '/a/../..//evil.example/x',
    '/././/evil.example',
    '/.\t//evil.example',
    '/\t.//evil.example',
    '/.\\/evil.example',
    '/\t/evil.example/phish',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '/\\evil.example',
    '\\/evil.example',
    '/\\/evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    ' /dashboard',
    '',
    42,
    undefined,
  ])('refuses %j', (value) => {
    expect(safeReturnPath(value)).toBeNull();
  });
});
