// @limiquantix/agent-client/testing: throwaway certificates for tests and demos; never for production.
export {
  createTestPki,
  createTestPkiAsync,
  issueCertificate,
  issueCertificateAuthority,
} from "./certs/test-pki";
export type { CertificateAuthority, CertificateRequest, IssuedCertificate, TestPki } from "./certs/test-pki";
