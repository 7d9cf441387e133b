import Link from 'next/link';

export default function NotFound() {
  return (
    <main id="main" className="sign-in">
      <h1>Not found</h1>
      <p>There is nothing here, or it belongs to another organization.</p>
      <p>
        <Link href="/dashboard">Back to the dashboard</Link>
      </p>
    </main>
  );
}
