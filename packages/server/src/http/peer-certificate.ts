import type { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";

/**
 * verifiedPeerCertificate is the client certificate a TLS connection presented, when the
 * listener verified it against the CAs it trusts for clients (a certificate that failed is
 * undefined, as is a plaintext connection). For HTTP/2 the request's socket is node's proxy of
 * the TLS socket, which answers the same.
 */
export function verifiedPeerCertificate(socket: unknown): X509Certificate | undefined {
  const tls = socket as Partial<TLSSocket> | undefined;
  if (!tls?.authorized || typeof tls.getPeerX509Certificate !== "function") return undefined;
  return tls.getPeerX509Certificate();
}
