// scripts/embed.mjs on a small fake dist: paths, types, ETags, gzip, immutability, skipped
// files, rewrite-only-on-change, and (when g++ is installed) a warning-free compile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'

const SCRIPT = join(__dirname, '..', 'scripts', 'embed.mjs')
let dir = ''

function bytesOf(source: string, name: string): Buffer {
  const m = new RegExp(`static const unsigned char ${name}\\[\\d*\\] = \\{([^}]*)\\};`).exec(source)
  if (!m) throw new Error(`no array ${name}`)
  return Buffer.from(m[1].split(',').map((s) => s.trim()).filter(Boolean).map((s) => Number(s)))
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'yw-embed-'))
  const dist = join(dir, 'dist')
  mkdirSync(join(dist, 'assets'), { recursive: true })
  mkdirSync(join(dist, '.vite'), { recursive: true })
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>运维</title>' + 'x'.repeat(500))
  writeFileSync(join(dist, 'assets', 'index-B27TJkeX.js'), 'console.log("hi");'.repeat(50))
  writeFileSync(join(dist, 'assets', 'index-B27TJkeX.js.map'), '{}')
  writeFileSync(join(dist, 'assets', 'logo-Ab3dEf9h.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]))
  writeFileSync(join(dist, 'assets', 'empty-Zz9Yy8Xx.css'), '')
  writeFileSync(join(dist, 'robots.txt'), 'User-agent: *\n')
  writeFileSync(join(dist, '.vite', 'manifest.json'), '{}')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('embed.mjs', () => {
  it('writes a C++ source describing every file', () => {
    const out = join(dir, 'gen', 'web_assets.cpp')
    execFileSync('node', [SCRIPT, join(dir, 'dist'), out])
    const src = readFileSync(out, 'utf8')
    expect(src).toContain('#include "http/assets.h"')
    expect(src).toContain('namespace yunwei::http {')
    expect(src).toContain('const std::vector<EmbeddedAsset>& embedded_assets()')
    expect(src).not.toContain('.map"')
    expect(src).not.toContain('manifest.json')

    const entries = [...src.matchAll(/^ {6}\{"([^"]+)", "([^"]+)", "\\"([0-9a-f]{16})\\"", (k\d+), (\d+), (k\d+gz|nullptr), (\d+), (true|false)\},$/gm)]
    const byPath = new Map(entries.map((m) => [m[1], m]))
    expect([...byPath.keys()]).toEqual([
      '/assets/empty-Zz9Yy8Xx.css',
      '/assets/index-B27TJkeX.js',
      '/assets/logo-Ab3dEf9h.png',
      '/index.html',
      '/robots.txt',
    ])

    const html = byPath.get('/index.html')!
    const raw = readFileSync(join(dir, 'dist', 'index.html'))
    expect(html[2]).toBe('text/html; charset=utf-8')
    expect(html[3]).toBe(createHash('sha256').update(raw).digest('hex').slice(0, 16))
    expect(bytesOf(src, html[4]).equals(raw)).toBe(true)
    expect(Number(html[5])).toBe(raw.length)
    expect(gunzipSync(bytesOf(src, html[6])).equals(raw)).toBe(true)
    expect(html[8]).toBe('false')

    const js = byPath.get('/assets/index-B27TJkeX.js')!
    expect(js[2]).toBe('text/javascript; charset=utf-8')
    expect(js[8]).toBe('true')

    const png = byPath.get('/assets/logo-Ab3dEf9h.png')!
    expect(png[2]).toBe('image/png')
    expect(png[6]).toBe('nullptr')
    expect(png[7]).toBe('0')

    const empty = byPath.get('/assets/empty-Zz9Yy8Xx.css')!
    expect(empty[5]).toBe('0')
    expect(empty[6]).toBe('nullptr')

    // 20 bytes per line.
    const firstArray = /static const unsigned char k\d+\[\] = \{\n([^\n]*)\n/.exec(src)![1]
    expect(firstArray.split(',').filter((s) => s.trim()).length).toBeLessThanOrEqual(20)
  })

  it('leaves an unchanged output file alone', () => {
    const out = join(dir, 'gen', 'web_assets.cpp')
    const old = new Date(Date.now() - 3600_000)
    utimesSync(out, old, old)
    execFileSync('node', [SCRIPT, join(dir, 'dist'), out])
    expect(statSync(out).mtimeMs).toBeCloseTo(old.getTime(), -3)
    writeFileSync(join(dir, 'dist', 'robots.txt'), 'User-agent: *\nDisallow: /api/\n')
    execFileSync('node', [SCRIPT, join(dir, 'dist'), out])
    expect(statSync(out).mtimeMs).toBeGreaterThan(old.getTime() + 1000)
  })

  it('fails clearly without a build', () => {
    const r = spawnSync('node', [SCRIPT, join(dir, 'nothing'), join(dir, 'x.cpp')], { encoding: 'utf8' })
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('npm run build')
  })

  const gxx = spawnSync('g++', ['--version']).status === 0
  it.runIf(gxx)('compiles with g++ -std=c++20 -Wall -Wextra -Wpedantic -Werror', () => {
    const inc = join(dir, 'inc', 'http')
    mkdirSync(inc, { recursive: true })
    writeFileSync(
      join(inc, 'assets.h'),
      `#pragma once
#include <cstddef>
#include <vector>
namespace yunwei::http {
struct EmbeddedAsset { const char* path; const char* content_type; const char* etag; const unsigned char* data;
  std::size_t size; const unsigned char* gzip; std::size_t gzip_size; bool immutable; };
const std::vector<EmbeddedAsset>& embedded_assets();
}
`,
    )
    const r = spawnSync(
      'g++',
      ['-std=c++20', '-Wall', '-Wextra', '-Wpedantic', '-Werror', '-fsyntax-only', '-I', join(dir, 'inc'), join(dir, 'gen', 'web_assets.cpp')],
      { encoding: 'utf8' },
    )
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })
})
