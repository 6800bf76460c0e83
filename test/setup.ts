// Test setup: the same runtime polyfills the daemon loads first.
import '../src/polyfill.ts'
