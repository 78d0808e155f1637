/**
 * The ASN.1 schema layer of @peculiar/x509 (@peculiar/asn1-x509), loaded only
 * by runs that sign something. The high-level X509CertificateGenerator is not
 * used: it costs 2-3 ms per certificate in ASN.1 round trips and re-parsing,
 * against ~0.5 ms for one serialisation plus a native signature.
 */
type Schema = typeof import('@peculiar/asn1-schema');
type X509Asn = typeof import('@peculiar/asn1-x509');

export interface Asn1 {
  schema: Schema;
  x509: X509Asn;
}

let loading: Promise<Asn1> | undefined;

export function loadAsn1(): Promise<Asn1> {
  loading ??= Promise.all([import('@peculiar/asn1-schema'), import('@peculiar/asn1-x509')]).then(
    ([schema, x509]) => ({
      schema,
      x509,
    }),
  );
  return loading;
}
