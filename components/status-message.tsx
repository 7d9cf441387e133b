import Link from 'next/link';

/** The body of the 403 and 404 pages: inside the signed-in layout's <main>, or wrapped in one at the root. */
export function StatusMessage({ title, text }: { title: string; text: string }) {
  return (
    <div className="sign-in">
      <h1>{title}</h1>
      <p>{text}</p>
      <p>
        <Link href="/dashboard">Back to the dashboard</Link>
      </p>
    </div>
  );
}

export const FORBIDDEN = { title: 'Not allowed', text: 'Your role does not allow this page. The attempt was recorded in the audit log.' };
export const NOT_FOUND = { title: 'Not found', text: 'There is nothing here, or it belongs to another organization.' };
