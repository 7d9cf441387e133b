import { countOf } from '@/lib/format';
import { profileDefinition } from '@/lib/schemas/credential-profiles';

/** What to do about a credential that needs someone, in words, and the page where it is done (when the reader may do it). */
export interface NextStep {
  text: string;
  action?: { href: string; label: string };
}

export interface NeedsSomeone {
  id: string;
  profile: string;
  category: 'EXPIRED' | 'EXPIRING' | 'FAILING' | 'NEVER_TESTED';
  /** The last failed test's code and HTTP status, when it is failing. */
  errorCode?: string | null;
  httpStatus?: number | null;
  /** Hours between scheduled tests; null when they are off. */
  testEveryHours?: number | null;
}

// Codes a test records (lib/server/connection-tests, lib/server/net), grouped by who has to act.
const REFUSED = ['invalid_client', 'unauthorized_client', 'unauthorized', 'access_denied', 'invalid_grant', 'invalid_token', 'ksef_token'];
const SCOPE = ['invalid_scope', 'insufficient_scope', 'invalid_target'];
const PROVIDER_DOWN = ['server_error', 'temporarily_unavailable', 'timeout', 'network_error', 'rate_limited', 'slow_down', 'invalid_response', 'response_too_large'];
const ADDRESS = ['url_refused', 'address_refused', 'redirect_refused'];
const CERTIFICATE = ['certificate_expired', 'certificate_subject', 'certificate_not_yet_valid', 'not_a_certificate', 'certificate_invalid'];

/**
 * The next step for a credential that is expired, expiring, failing or never tested: who has to act
 * (the provider, an administrator, an operator) and how. `canChange` (administrators) and `canTest`
 * (operators, administrators) decide whether the step links to the form or says whom to ask.
 */
export function nextStep(item: NeedsSomeone, { canChange, canTest }: { canChange: boolean; canTest: boolean }): NextStep {
  const page = `/credentials/${item.id}`;
  const definition = profileDefinition(item.profile);
  const thing = definition?.test === 'certificate' || definition?.fields.some((f) => f.name === 'certificate') ? 'certificate' : 'secret';
  const change = (text: string, href: string, label: string): NextStep => (canChange ? { text, action: { href, label } } : { text: `${text} Ask an administrator.` });
  const stage = (text: string) => change(text, `${page}/rotate`, 'Set pending secrets');
  const edit = (text: string) => change(text, `${page}/edit`, 'Edit settings and secrets');
  const retest = (text: string, label = 'Test again'): NextStep => (canTest ? { text, action: { href: page, label } } : { text: `${text} Operators and administrators run tests.` });

  switch (item.category) {
    case 'EXPIRED':
      return stage(`Get a new ${thing} from the issuer and set it as a pending version, test it, then promote it. Nothing is served with the expired one.`);
    case 'EXPIRING':
      return stage(`Renew the ${thing} with the issuer now: set the new one as a pending version beside the one in use, test it, then promote it before the old one expires.`);
    case 'NEVER_TESTED':
      return canTest ? retest('Run a connection test to know it works before an invoice needs it.', 'Run a test') : { text: 'Ask an operator to run a connection test, to know it works before an invoice needs it.' };
    case 'FAILING': {
      const code = item.errorCode ?? '';
      const status = item.httpStatus ?? 0;
      if (REFUSED.includes(code) || status === 401 || status === 403) {
        return edit('The provider refused these credentials: check the client ID and secret (or key) with the provider, then replace them here.');
      }
      if (SCOPE.includes(code)) return edit('The provider refused the scope: check with the provider which scope this client may ask for, and correct the Scope setting.');
      if (ADDRESS.includes(code)) return edit('Strongroom refused the address (a private network, a redirect or plain http): correct the URL setting to the provider’s public https address.');
      if (CERTIFICATE.includes(code)) return stage(`The ${thing} is not usable: get a valid one from the issuer and set it as a pending version.`);
      if (PROVIDER_DOWN.includes(code) || status === 429 || status >= 500) {
        const when = item.testEveryHours ? `Strongroom tests it again on its schedule (every ${countOf(item.testEveryHours, 'hour')})` : 'Scheduled tests are off, so run a test once the provider is back';
        return retest(`The provider is failing or unreachable; your credential is probably fine. ${when}; if it lasts, check the provider’s status page.`);
      }
      return retest('Read the last test’s message on the credential’s page, correct what it names, then test again.');
    }
  }
}
