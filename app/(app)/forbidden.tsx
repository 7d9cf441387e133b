import { FORBIDDEN, StatusMessage } from '@/components/status-message';

// Rendered inside the signed-in layout, which already has the page's <main>.
export default function Forbidden() {
  return <StatusMessage {...FORBIDDEN} />;
}
