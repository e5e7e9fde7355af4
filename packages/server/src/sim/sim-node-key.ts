import { generateKeyPair } from "node:crypto";
import { promisify } from "node:util";
import type forge from "node-forge";
import { forgeLib } from "../auth/nodes/forge-lib";

/** SimNodeKey is a simulated node's private key and the certificate request it sends when it joins, both PEM. */
export interface SimNodeKey {
  readonly keyPem: string;
  readonly csrPem: string;
}

/**
 * simNodeKey makes a simulated node's key pair (RSA 2048; node:crypto generates it, which is far
 * quicker than forge) and a certificate request for it, signed with forge, as a real agent would
 * before joining with csr_pem.
 */
export async function simNodeKey(hostname: string): Promise<SimNodeKey> {
  const { privateKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const { pki, md } = forgeLib();
  const key = pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const csr = pki.createCertificationRequest();
  csr.publicKey = pki.setRsaPublicKey(key.n, key.e);
  // The server names the certificate after the node id; the subject asked for is only a courtesy.
  csr.setSubject([{ name: "commonName", value: hostname }]);
  csr.sign(key, md.sha256.create());
  return { keyPem, csrPem: pki.certificationRequestToPem(csr) };
}
