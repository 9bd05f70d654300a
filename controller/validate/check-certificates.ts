import { createPrivateKey, type X509Certificate } from 'node:crypto';
import type { ManifestSet } from '../core/manifest.ts';
import { certificatesInPem } from '../core/pem-certificates.ts';
import { fieldName, type Problem, type ProblemReason, type Severity } from '../core/problem.ts';

/** A certificate that expires within this many days is a warning: time to make and register the next one. */
export const EXPIRY_WARNING_DAYS = 30;

const DAY_MS = 86_400_000;

/**
 * The certificates of connections, as far as the manifests show them without opening a secret:
 * each `certificate` (and `caBundle`) must be PEM X.509 (CertificateInvalid); a client
 * certificate that is not valid yet or has expired at `now` is an error (CertificateExpired), one
 * that expires within 30 days a warning (CertificateExpiresSoon). Where the private key is given
 * in plain text (allowed by a policy, in dev) it must match the certificate
 * (KeyCertificateMismatch); a sealed key (and a plain PKCS#12 file) is checked where it can be
 * opened, by the environment, when a plan would apply it (reconcilers/environment/verify-key-pairs.ts);
 * a referenced key when the connection is first used. Pure: `now` is given (ms since the epoch).
 */
export function checkCertificates(set: ManifestSet, now: number): Problem[] {
  const problems: Problem[] = [];
  for (const object of set.connections) {
    for (const [environment, endpoint] of Object.entries(object.manifest.spec.environments)) {
      if (!endpoint) continue;
      const base = ['spec', 'environments', environment];
      const report = (field: string, severity: Severity, reason: ProblemReason, message: string): void => {
        const path = [...base, field];
        problems.push({ file: object.file, ...object.locate(path), severity, reason, field: fieldName(path), message, object: { kind: 'Connection', name: object.manifest.metadata.name } });
      };
      if (endpoint.caBundle !== undefined) {
        const authorities = certificatesInPem(endpoint.caBundle);
        if (typeof authorities === 'string' || authorities.length === 0) report('caBundle', 'error', 'CertificateInvalid', typeof authorities === 'string' ? authorities : 'holds no PEM certificate');
      }
      if (endpoint.certificate === undefined) continue;
      const certificates = certificatesInPem(endpoint.certificate);
      if (typeof certificates === 'string' || certificates.length === 0) {
        report('certificate', 'error', 'CertificateInvalid', typeof certificates === 'string' ? certificates : 'holds no PEM certificate');
        continue;
      }
      const plainKey = endpoint.privateKey?.plain;
      const leaf = plainKey === undefined ? certificates[0]! : (certificates.find((c) => matches(c, plainKey, endpoint.keyPassword?.plain)) ?? certificates[0]!);
      if (plainKey !== undefined && plainKey.trimStart().startsWith('-----BEGIN') && !matches(leaf, plainKey, endpoint.keyPassword?.plain)) {
        report('privateKey', 'error', 'KeyCertificateMismatch', `does not match ${subjectOf(leaf)}`);
      }
      checkValidity(leaf, now, report);
    }
  }
  return problems;
}

function checkValidity(leaf: X509Certificate, now: number, report: (field: string, severity: Severity, reason: ProblemReason, message: string) => void): void {
  const from = Date.parse(leaf.validFrom);
  const to = Date.parse(leaf.validTo);
  const day = (t: number): string => new Date(t).toISOString().slice(0, 10);
  if (now < from) return report('certificate', 'error', 'CertificateExpired', `${subjectOf(leaf)} is not valid before ${day(from)}`);
  if (now >= to) return report('certificate', 'error', 'CertificateExpired', `${subjectOf(leaf)} expired on ${day(to)}; make a new one (intctl connection certificate) and register it with the system`);
  const days = Math.floor((to - now) / DAY_MS);
  if (days < EXPIRY_WARNING_DAYS) {
    report('certificate', 'warning', 'CertificateExpiresSoon', `${subjectOf(leaf)} expires on ${day(to)}, in ${days} ${days === 1 ? 'day' : 'days'}; make the next one (intctl connection certificate) and register it with the system before then`);
  }
}


function matches(certificate: X509Certificate, keyPem: string, password: string | undefined): boolean {
  try {
    return certificate.checkPrivateKey(createPrivateKey({ key: keyPem, format: 'pem', ...(password !== undefined ? { passphrase: password } : {}) }));
  } catch {
    return false;
  }
}

function subjectOf(certificate: X509Certificate): string {
  return `the certificate of ${certificate.subject.replace(/\n/g, ', ')}`;
}
