import Link from 'next/link';

type Kind = 'EXPIRED' | 'EXPIRING' | 'FAILING' | 'NEVER_TESTED';

/** How many credentials are expired, expiring, failing and never tested, each a link into that list. */
export function AttentionCounts({
  counts,
  href,
  label,
  expiringText = 'expiring',
}: {
  counts: Record<'expired' | 'expiring' | 'failing' | 'neverTested', number>;
  href: (kind: Kind) => string;
  label: string;
  expiringText?: string;
}) {
  const items: { kind: Kind; count: number; text: string; tone?: 'alert' | 'warn' }[] = [
    { kind: 'EXPIRED', count: counts.expired, text: 'expired', tone: 'alert' },
    { kind: 'EXPIRING', count: counts.expiring, text: expiringText, tone: 'warn' },
    { kind: 'FAILING', count: counts.failing, text: 'failing', tone: 'alert' },
    { kind: 'NEVER_TESTED', count: counts.neverTested, text: 'never tested' },
  ];
  return (
    <ul className="attention-counts" aria-label={label}>
      {items.map((item) => (
        <li key={item.kind} className={item.count && item.tone ? item.tone : undefined}>
          <Link href={href(item.kind)}>
            {item.count} {item.text}
          </Link>
        </li>
      ))}
    </ul>
  );
}
