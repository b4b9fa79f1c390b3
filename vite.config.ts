import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';
import { browserGuard } from './scripts/vite-browser-guard.ts';

// SvelteKit 3 takes its configuration here (svelte.config.js is no longer read).
// Nothing here depends on where the app runs: scripts/web-server.ts gives
// adapter-node's handler the public origin (ORIGIN), PORT and HOST when the
// server starts, and the Supabase URL and key are runtime variables
// (src/env.ts), so one build serves any origin.
// FOLDWORK_BUILD_DIR: build into this folder (and its kit files into
// <folder>-kit) instead of build/ and .svelte-kit/; scripts/web-build.ts
// keeps one build per source version this way.
const buildDir = process.env.FOLDWORK_BUILD_DIR;

export default defineConfig({
	plugins: [
		sveltekit({
			adapter: adapter(buildDir ? { out: buildDir } : {}),
			outDir: buildDir ? `${buildDir}-kit` : undefined,
			// Cross-site requests are refused by src/lib/server/http-security.ts (csrfGuard), in the
			// production and the dev server alike and for every method, not only form posts; SvelteKit's
			// own form-origin check (production only) would also refuse the RFC 8058 one-click
			// unsubscribe, which mail clients POST without an Origin, so that one check is ours alone.
			csrf: { trustedOrigins: ['*'] },
			// SvelteKit adds a nonce to each script it renders; src/lib/server/http-security.ts
			// adds connect-src (the Supabase API, known at start) and the other headers.
			csp: {
				mode: 'auto',
				directives: {
					'default-src': ['self'],
					// RDKit's 2D depictions are WebAssembly.
					'script-src': ['self', 'wasm-unsafe-eval'],
					// Svelte's style attributes and the viewers' inline styles; no scripts can run from styles.
					'style-src': ['self', 'unsafe-inline'],
					'img-src': ['self', 'data:', 'blob:'],
					'font-src': ['self', 'data:'],
					'worker-src': ['self', 'blob:'],
					'object-src': ['none'],
					'base-uri': ['self'],
					'form-action': ['self'],
					'frame-ancestors': ['none']
				}
			}
		}),
		// Fails the client build when browser code imports Node modules or reads process.env.
		browserGuard()
	],
	// RDKit's Web Worker (src/lib/rdkit) is an ES module, in the build as in the dev server.
	worker: { format: 'es' },
	server: { host: '127.0.0.1', port: 5173, strictPort: true }
});
