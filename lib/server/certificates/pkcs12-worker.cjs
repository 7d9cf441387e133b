// Opens a PKCS#12 file off the server's event loop (started by open-pkcs12.ts; plain CommonJS, so a
// worker thread can load it as it is). node-forge derives keys synchronously with whatever iteration
// count the file declares, so every derivation is counted here before it starts: a file that asks for
// more than the limits is refused without deriving anything more.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const forge = require('node-forge');

const { der, password, maxIterations, maxTotalIterations } = workerData;

class TooMuchWork extends Error {}

let spent = 0;
/** Counts one key derivation of `iterations` rounds, or refuses it before it runs. */
function spend(iterations) {
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > maxIterations) throw new TooMuchWork(String(iterations));
  spent += iterations;
  if (spent > maxTotalIterations) throw new TooMuchWork(String(spent));
}
// Every derivation node-forge makes for PKCS#12 goes through one of these three.
const counted = (original, countAt) =>
  function (...args) {
    const count = args[countAt];
    spend(typeof count === 'number' ? count : Number.NaN);
    return original.apply(this, args);
  };
forge.pkcs12.generateKey = counted(forge.pkcs12.generateKey, 3);
forge.pki.pbe.generatePkcs12Key = counted(forge.pki.pbe.generatePkcs12Key, 3);
forge.pkcs5.pbkdf2 = counted(forge.pkcs5.pbkdf2, 2);

function open() {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(der).toString('binary')), { strict: true }), password);
  const derOf = (asn1) => Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
  const certificates = (p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] || []).map((bag) =>
    bag.cert ? derOf(forge.pki.certificateToAsn1(bag.cert)) : derOf(bag.asn1),
  );
  const keyBags = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] || [];
  const keyBag = keyBags[0];
  // forge decodes RSA keys itself; for other key types it leaves the ASN.1, which node:crypto reads.
  const privateKey = keyBag ? (keyBag.key ? derOf(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key))) : derOf(keyBag.asn1)) : null;
  return { certificates, privateKey };
}

try {
  parentPort.postMessage({ ok: true, ...open() });
} catch (error) {
  if (error instanceof TooMuchWork) parentPort.postMessage({ ok: false, reason: 'work' });
  else if (error instanceof RangeError) parentPort.postMessage({ ok: false, reason: 'unreadable' });
  else {
    const message = error instanceof Error ? error.message : '';
    parentPort.postMessage({ ok: false, reason: /MAC could not be verified|Invalid password|decrypt/i.test(message) ? 'password' : 'unreadable' });
  }
}
