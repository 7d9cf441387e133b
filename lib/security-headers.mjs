// Headers on every response, pages and API alike: next.config.mjs gives them to what Next.js serves,
// scripts/serve.mjs to the service API it answers without Next.js.
export const SECURITY_HEADERS = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'no-referrer' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
];
