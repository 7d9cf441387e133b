import Link from 'next/link';

export default function Forbidden() {
  return (
    <main id="main" className="sign-in">
      <h1>Not allowed</h1>
      <p>Your role does not allow this page. The attempt was recorded in the audit log.</p>
      <p>
        <Link href="/dashboard">Back to the dashboard</Link>
      </p>
    </main>
  );
}
