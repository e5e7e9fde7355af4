import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import forge from "node-forge";
import { commonNameOnly, fromDer, OID, oid, pemOf, seq, toDer } from "../auth/nodes/x509-der";

/** CsrKey names the keys tests make certificate requests for. */
export type CsrKey = "rsa-2048" | "rsa-1024" | "ec-p256" | "ec-p384" | "ed25519";

/** TestCsr is a certificate request and the private key it was made with, both PEM. */
export interface TestCsr {
  readonly csrPem: string;
  readonly keyPem: string;
}

function keyPair(kind: CsrKey): { publicKey: KeyObject; privateKey: KeyObject } {
  switch (kind) {
    case "rsa-2048":
      return generateKeyPairSync("rsa", { modulusLength: 2048 });
    case "rsa-1024":
      return generateKeyPairSync("rsa", { modulusLength: 1024 });
    case "ec-p256":
      return generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    case "ec-p384":
      return generateKeyPairSync("ec", { namedCurve: "secp384r1" });
    case "ed25519":
      return generateKeyPairSync("ed25519");
  }
}

/**
 * testCsr makes a PKCS#10 certificate request for a new key of the given kind (forge's own CSR
 * code handles RSA only), signed by that key, or with a broken signature when `tamper` is set.
 */
export function testCsr(kind: CsrKey, options: { commonName?: string; tamper?: boolean } = {}): TestCsr {
  const { publicKey, privateKey } = keyPair(kind);
  const { asn1 } = forge;
  const info = seq(
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, "\x00"),
    commonNameOnly(options.commonName ?? "test-node"),
    fromDer(publicKey.export({ type: "spki", format: "der" })),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0 as forge.asn1.Type, true, []),
  );
  const [algorithm, digest] =
    kind === "ed25519"
      ? [seq(oid(OID.ed25519)), null]
      : kind.startsWith("rsa")
        ? [
            seq(oid(OID.sha256WithRsa), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, "")),
            "sha256",
          ]
        : kind === "ec-p384"
          ? [seq(oid(OID.ecdsaWithSha384)), "sha384"]
          : [seq(oid(OID.ecdsaWithSha256)), "sha256"];
  const signature = sign(digest, toDer(info), privateKey);
  if (options.tamper) signature[signature.length - 1] = (signature[signature.length - 1] ?? 0) ^ 0x01;
  const bits = asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.BITSTRING,
    false,
    `\x00${signature.toString("binary")}`,
  );
  return {
    csrPem: pemOf("CERTIFICATE REQUEST", toDer(seq(info, algorithm, bits))),
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}
