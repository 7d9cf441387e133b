/** The reference a person quotes after a failed page: Next.js's digest, which the server log pairs with the request id. */
export function FailureReference({ digest }: { digest?: string }) {
  if (!digest) return null;
  return (
    <p>
      If it happens again, quote this reference to your operator: <code>{digest}</code>
    </p>
  );
}
