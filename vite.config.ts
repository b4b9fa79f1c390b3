import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';
import { browserGuard } from './scripts/vite-browser-guard.ts';

// SvelteKit 3 takes its configuration here (svelte.config.js is no longer read).
// ORIGIN (build time): the URL the built app is served at, e.g.
// https://foldwork.example.org; it is the trusted origin for form posts
// (CSRF). Unset, the app derives it from each request (fine for `vite dev`).
// FOLDWORK_BUILD_DIR (tests): build into this folder instead of build/ and
// .svelte-kit/, so concurrent browser-test runs do not overwrite each other.
const buildDir = process.env.FOLDWORK_BUILD_DIR;

export default defineConfig({
	plugins: [
		sveltekit({
			adapter: adapter(buildDir ? { out: buildDir } : {}),
			outDir: buildDir ? `${buildDir}-kit` : undefined,
			paths: { origin: process.env.ORIGIN || undefined }
		}),
		// Fails the client build when browser code imports Node modules or reads process.env.
		browserGuard()
	],
	server: { host: '127.0.0.1', port: 5173, strictPort: true }
});
