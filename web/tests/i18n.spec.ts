// Catalogue checks: zh-CN and en have the same keys and placeholders, every key used in the
// source exists, every message compiles, and .vue templates hold no untranslated text.
import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { baseCompile } from '@intlify/message-compiler'
import { parse as parseSfc } from 'vue/compiler-sfc'
import en from '../src/i18n/locales/en'
import zhCN from '../src/i18n/locales/zh-CN'
import { ROLES } from '../src/api/types'

type Tree = { [k: string]: string | Tree }
const SRC = join(__dirname, '..', 'src')

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'string') out.set(key, v)
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv)
  }
  return out
}

function files(dir: string, exts: string[]): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const full = join(dir, name)
    if (statSync(full).isDirectory()) out.push(...files(full, exts))
    else if (exts.some((e) => name.endsWith(e)) && !name.endsWith('.d.ts')) out.push(full)
  }
  return out
}

// Per-module catalogues (src/modules/<name>/locales/*.ts, loaded with the module's pages; see
// src/modules/lazyModule.ts) are checked together with the global ones.
const moduleEn = import.meta.glob<Tree>('../src/modules/*/locales/en.ts', { eager: true, import: 'default' })
const moduleZh = import.meta.glob<Tree>('../src/modules/*/locales/zh-CN.ts', { eager: true, import: 'default' })
const moduleNamespaces = Object.values(moduleEn).flatMap((tree) => Object.keys(tree))
const catalogues = {
  en: flatten(Object.assign({}, en as Tree, ...Object.values(moduleEn))),
  'zh-CN': flatten(Object.assign({}, zhCN as Tree, ...Object.values(moduleZh))),
}
const namespaces = new Set([...Object.keys(en), ...moduleNamespaces])
const sources = files(SRC, ['.ts', '.vue']).filter(
  (f) => !f.includes(`${join('i18n', 'locales')}`) && !/[\\/]modules[\\/][^\\/]+[\\/]locales[\\/]/.test(f),
)

/**
 * Keys in the source: t('x.y'), $t('x.y'), and any 'ns.key' string literal whose first part
 * is a catalogue namespace (labels in module definitions, route titles, tables of keys).
 */
function usedKeys(): Map<string, string[]> {
  const used = new Map<string, string[]>()
  const add = (key: string, file: string) => {
    const list = used.get(key) ?? []
    list.push(relative(SRC, file))
    used.set(key, list)
  }
  for (const file of sources) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/\$?\bt\(\s*['"]([A-Za-z0-9_.-]+)['"]/g)) add(m[1], file)
    // Single quotes only: double quotes in templates wrap expressions such as errors.email.
    for (const m of text.matchAll(/'([a-zA-Z]+)\.([A-Za-z0-9_.]+)'/g)) {
      if (namespaces.has(m[1])) add(`${m[1]}.${m[2]}`, file)
    }
  }
  return used
}

function placeholders(msg: string): string[] {
  return [...msg.matchAll(/\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}/g)].map((m) => m[1]).sort()
}

describe('i18n catalogues', () => {
  it('module catalogues come in both languages and keep to namespaces of their own', () => {
    const enDirs = Object.keys(moduleEn).map((f) => f.replace(/en\.ts$/, ''))
    const zhDirs = Object.keys(moduleZh).map((f) => f.replace(/zh-CN\.ts$/, ''))
    expect(zhDirs.sort()).toEqual(enDirs.sort())
    const seen = new Set(Object.keys(en as unknown as Tree))
    const clashes = moduleNamespaces.filter((ns) => {
      const clash = seen.has(ns)
      seen.add(ns)
      return clash
    })
    expect(clashes).toEqual([])
  })

  it('have the same keys in zh-CN and en', () => {
    const enKeys = [...catalogues.en.keys()]
    const zhKeys = [...catalogues['zh-CN'].keys()]
    expect(enKeys.filter((k) => !catalogues['zh-CN'].has(k)), 'missing in zh-CN').toEqual([])
    expect(zhKeys.filter((k) => !catalogues.en.has(k)), 'missing in en').toEqual([])
  })

  it('have no empty messages and the same placeholders in both languages', () => {
    const problems: string[] = []
    for (const [key, msg] of catalogues.en) {
      const zh = catalogues['zh-CN'].get(key) ?? ''
      if (!msg.trim()) problems.push(`en ${key} is empty`)
      if (!zh.trim()) problems.push(`zh-CN ${key} is empty`)
      if (placeholders(msg).join() !== placeholders(zh).join()) problems.push(`${key}: {${placeholders(msg)}} vs {${placeholders(zh)}}`)
    }
    expect(problems).toEqual([])
  })

  it('compile (no stray @ | { in messages)', () => {
    const problems: string[] = []
    for (const [lang, cat] of Object.entries(catalogues)) {
      for (const [key, msg] of cat) {
        baseCompile(msg, { onError: (e) => problems.push(`${lang} ${key}: ${e.message}`) })
      }
    }
    expect(problems).toEqual([])
  })

  it('contain every key the source uses', () => {
    const missing: string[] = []
    for (const [key, where] of usedKeys()) {
      for (const [lang, cat] of Object.entries(catalogues)) {
        // A prefix used to build keys (e.g. 'admin.users') is fine when it names a subtree.
        const isSubtree = [...cat.keys()].some((k) => k.startsWith(key + '.'))
        if (!cat.has(key) && !isSubtree) missing.push(`${lang}: ${key} (${where.join(', ')})`)
      }
    }
    expect(missing).toEqual([])
  })

  it('contain the keys built at run time', () => {
    const dynamic = [
      ...ROLES.map((r) => `roles.${r}`),
      ...['active', 'expired', 'revoked'].map((s) => `tokens.status.${s}`),
    ]
    for (const cat of Object.values(catalogues)) {
      expect(dynamic.filter((k) => !cat.has(k))).toEqual([])
    }
  })

  it('are used: no key in the catalogue that nothing refers to', () => {
    const used = usedKeys()
    const dynamicPrefixes = ['roles.', 'tokens.status.']
    const unused = [...catalogues.en.keys()].filter(
      (k) => !used.has(k) && !dynamicPrefixes.some((p) => k.startsWith(p)),
    )
    expect(unused).toEqual([])
  })
})

describe('templates', () => {
  // Attributes whose text the user sees.
  const VISIBLE_ATTRS = new Set(['label', 'placeholder', 'title', 'content', 'description', 'aria-label', 'alt', 'empty-text', 'sub-title', 'confirm-button-text'])
  // Text that needs no translation: punctuation, separators, language names in themselves.
  const ALLOWED = /^[\s·—–:|/()…,.+\-#0-9%]*$/

  it('hold no visible text outside vue-i18n', () => {
    const problems: string[] = []
    for (const file of sources.filter((f) => f.endsWith('.vue'))) {
      const { descriptor } = parseSfc(readFileSync(file, 'utf8'), { filename: file })
      const ast = descriptor.template?.ast
      if (!ast) continue
      const walk = (node: any) => {
        if (node.type === 2 /* TEXT */ && !ALLOWED.test(node.content)) {
          problems.push(`${relative(SRC, file)}:${node.loc.start.line} text "${node.content.trim()}"`)
        }
        if (node.type === 1 /* ELEMENT */) {
          for (const p of node.props ?? []) {
            if (p.type === 6 /* ATTRIBUTE */ && VISIBLE_ATTRS.has(p.name) && p.value && !ALLOWED.test(p.value.content)) {
              problems.push(`${relative(SRC, file)}:${p.loc.start.line} ${p.name}="${p.value.content}"`)
            }
          }
        }
        for (const c of node.children ?? []) walk(c)
        for (const b of node.branches ?? []) walk(b)
      }
      walk(ast)
    }
    expect(problems).toEqual([])
  })
})
