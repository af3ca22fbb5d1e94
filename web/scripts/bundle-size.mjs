#!/usr/bin/env node
// Prints the gzipped JS+CSS a browser loads for the first screens, from dist/.vite/manifest.json.
//   node scripts/bundle-size.mjs [distDir] [--max-kb=250]
// Exits 1 when a first screen (entry + layout + first route: login, staff home, requester
// portal, and the whole login -> staff home visit) exceeds --max-kb. No first screen uses
// ECharts: its chart lives on the admin Teams page as a lazy chunk (printed, not budgeted). The
// home page's SLA compliance card is a lazy chunk too, but staff with sla_read always fetch it:
// the whole visit with it is budgeted.
// tests/e2e-web measures the same in Chromium (encodedBodySize of what the page fetched).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const args = process.argv.slice(2)
const dist = args.find((a) => !a.startsWith('--')) ?? 'dist'
const maxKb = Number((args.find((a) => a.startsWith('--max-kb=')) ?? '--max-kb=250').split('=')[1])
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'))

const gz = new Map()
function gzSize(file) {
  if (!gz.has(file)) gz.set(file, gzipSync(readFileSync(join(dist, file)), { level: 9 }).length)
  return gz.get(file)
}

/** Files loaded for a manifest key: the chunk, its static imports (recursively) and their CSS. */
function closure(key, out = new Set()) {
  const c = manifest[key]
  if (!c || out.has(c.file)) return out
  out.add(c.file)
  for (const css of c.css ?? []) out.add(css)
  for (const imp of c.imports ?? []) closure(imp, out)
  return out
}

function keyFor(suffix) {
  const k = Object.keys(manifest).find((x) => x.endsWith(suffix))
  if (!k) throw new Error(`no chunk for ${suffix} in the manifest`)
  return k
}

function total(keys) {
  const files = new Set()
  for (const k of keys) closure(k, files)
  let sum = 0
  for (const f of files) sum += gzSize(f)
  return { files: [...files], bytes: sum }
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`
const entry = 'index.html'
const screens = [
  ['entry (index.html + its imports)', [entry]],
  ['login page', [entry, keyFor('pages/LoginPage.vue')]],
  ['staff first screen: layout + home', [entry, keyFor('layouts/WorkspaceLayout.vue'), keyFor('modules/home/HomePage.vue')]],
  ['login, then staff home (whole visit)', [entry, keyFor('pages/LoginPage.vue'), keyFor('layouts/WorkspaceLayout.vue'), keyFor('modules/home/HomePage.vue')]],
  ['  ... plus the SLA card (sla_read)', [entry, keyFor('pages/LoginPage.vue'), keyFor('layouts/WorkspaceLayout.vue'), keyFor('modules/home/HomePage.vue'), keyFor('sla-reports/SlaComplianceCard.vue')]],
  ['requester first screen: portal + tiles', [entry, keyFor('layouts/PortalLayout.vue'), keyFor('pages/PortalHome.vue')]],
  ['admin users page', [entry, keyFor('layouts/WorkspaceLayout.vue'), keyFor('modules/admin/UsersPage.vue')]],
  ['profile page', [entry, keyFor('layouts/WorkspaceLayout.vue'), keyFor('modules/profile/ProfilePage.vue')]],
  ['admin teams page', [entry, keyFor('layouts/WorkspaceLayout.vue'), keyFor('modules/admin/TeamsPage.vue')]],
  ['  ... plus the lazy team chart (ECharts)', [entry, keyFor('layouts/WorkspaceLayout.vue'), keyFor('modules/admin/TeamsPage.vue'), keyFor('modules/admin/TeamChart.vue')]],
]

const budgeted = new Set([
  'login page',
  'staff first screen: layout + home',
  'login, then staff home (whole visit)',
  '  ... plus the SLA card (sla_read)',
  'requester first screen: portal + tiles',
])
const over = []
for (const [label, keys] of screens) {
  const t = total(keys)
  console.log(`${label.padEnd(44)} ${kb(t.bytes).padStart(10)} gzipped in ${t.files.length} files`)
  if (budgeted.has(label) && t.bytes > maxKb * 1024) over.push(`${label}: ${kb(t.bytes)}`)
}
const entryFiles = total([entry]).files
console.log('\nentry files:')
for (const f of entryFiles) console.log(`  ${f.padEnd(48)} ${kb(gzSize(f)).padStart(10)}`)
for (const name of ['layouts/WorkspaceLayout.vue', 'modules/home/HomePage.vue', 'sla-reports/SlaComplianceCard.vue', 'modules/admin/TeamsPage.vue', 'modules/admin/TeamChart.vue']) {
  const c = manifest[keyFor(name)]
  console.log(`  ${c.file.padEnd(48)} ${kb(gzSize(c.file)).padStart(10)}  (${name})`)
}
if (over.length) {
  console.error(`\nover the ${maxKb} KB budget: ${over.join('; ')}`)
  process.exit(1)
}
console.log(`\nfirst screens within the ${maxKb} KB budget`)
