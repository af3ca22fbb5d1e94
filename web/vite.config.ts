/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import AutoImport from 'unplugin-auto-import/vite'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// Element Plus CSS cannot be loaded by Vitest ("Unknown file extension .css").
const testing = !!process.env.VITEST
const backend = process.env.YUNWEI_BACKEND || 'http://127.0.0.1:8080'

export default defineConfig(({ command }) => {
  // The .d.ts files listing auto-imports are refreshed by `npm run dev` only, so a
  // production build (run by CMake) never writes into the source tree.
  const writeDts = command === 'serve' && !testing
  const resolver = ElementPlusResolver({ importStyle: testing ? false : 'css' })
  return {
    plugins: [
      vue(),
      AutoImport({
        resolvers: [resolver],
        dts: writeDts ? 'src/auto-imports.d.ts' : false,
      }),
      Components({
        resolvers: [resolver],
        dirs: [],
        dts: writeDts ? 'src/components.d.ts' : false,
      }),
    ],
    // vue-i18n feature flags: Composition API only, no devtools (smaller bundle, no warning).
    define: {
      __VUE_I18N_FULL_INSTALL__: 'true',
      __VUE_I18N_LEGACY_API__: 'false',
      __INTLIFY_PROD_DEVTOOLS__: 'false',
      __INTLIFY_DROP_MESSAGE_COMPILER__: 'false',
    },
    resolve: {
      alias: { '@': new URL('./src', import.meta.url).pathname },
    },
    server: {
      port: 5173,
      proxy: {
        '/api': { target: backend, changeOrigin: false },
        '/healthz': { target: backend },
      },
    },
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      sourcemap: false,
      assetsInlineLimit: 4096,
      chunkSizeWarningLimit: 600,
      // dist/.vite/manifest.json feeds scripts/bundle-size.mjs (never embedded).
      manifest: true,
      rollupOptions: {
        output: {
          // Element Plus style helpers would all be called "css-<hash>.js".
          chunkFileNames: (chunk: { name: string }) =>
            chunk.name === 'css' || chunk.name === 'index' ? 'assets/ep-[hash].js' : 'assets/[name]-[hash].js',
        },
      },
    },
    test: {
      environment: 'happy-dom',
      include: ['tests/**/*.spec.ts'],
      testTimeout: 20000,
    },
  }
})
