import Link from 'next/link';

/** The organization's four-eyes policy as a form needs it: whether production changes wait, and how many administrators could approve. */
export interface ApprovalOutlook {
  required: boolean;
  administrators: number;
}

/**
 * Said at the form, before any secret is typed: a production change waits for a second
 * administrator, and with only one there is nobody to approve it (what to do instead).
 */
export function ApprovalNotice({ approval, environment, id }: { approval: ApprovalOutlook; environment: string; id?: string }) {
  if (environment !== 'PRODUCTION' || !approval.required) return null;
  if (approval.administrators < 2) {
    return (
      <p className="notice" role="note" id={id}>
        Production changes need a second administrator’s approval, and you are the only administrator: this would wait for an approval nobody can give. First{' '}
        <Link href="/admin/users">invite a second administrator</Link> or <Link href="/admin/settings">turn four-eyes approval off</Link>; or use Sandbox.
      </p>
    );
  }
  return (
    <p className="muted" role="note" id={id}>
      Production: another administrator approves this before it takes effect (Approvals).
    </p>
  );
}
