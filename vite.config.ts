import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// SvelteKit 3 takes its configuration here (svelte.config.js is no longer read).
export default defineConfig({
	plugins: [sveltekit({ adapter: adapter() })],
	server: { host: '127.0.0.1', port: 5173, strictPort: true }
});
