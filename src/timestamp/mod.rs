//! RFC 3161 trusted timestamps: requests to send, and tokens checked **offline**: the
//! message imprint against the data, the CMS signature over the signed attributes, the
//! `messageDigest` attribute against the TSTInfo, and the signer's chain, with the
//! time-stamping key purpose, up to a root shipped with the program (Mozilla's store,
//! as `webpki-roots`), valid **at the stamp's time** (a certificate that expired after
//! the stamp still proves it; one that expired before does not).

use std::time::Duration;

use chrono::{DateTime, Utc};
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, TrustAnchor, UnixTime};
use sha2::Digest as _;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion, TstInfo};

const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const SHA256_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");

/// Why a token does not prove what it should, in words for the analyst.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StampError {
    #[error("not an RFC 3161 timestamp token or response ({0})")]
    NotAToken(String),
    #[error("the authority refused the request (status {0})")]
    Refused(u8),
    #[error("hash algorithm {0} is not accepted (SHA-256, SHA-384 or SHA-512)")]
    UnsupportedHash(String),
    #[error("the token is for other data: its imprint does not match")]
    OtherData,
    #[error("the signed attributes do not match the token's content")]
    AttributesMismatch,
    #[error(
        "the token carries no certificates: it can be checked only with the authority's \
         certificate chain (a PEM or DER file of its certificates)"
    )]
    NeedsChain,
    #[error("none of the {0} certificate(s) given is the one the authority signed with")]
    SignerNotGiven(usize),
    #[error(
        "the signature does not verify with the authority's certificate: the token was \
         altered or damaged"
    )]
    BadSignature,
    #[error(
        "the authority's certificate ({0}) is not issued for time-stamping (RFC 3161 §2.3 \
         requires the time-stamping key purpose)"
    )]
    NotForTimeStamping(String),
    #[error("the signer's certificate is not trusted at the stamp's time: {0}")]
    Untrusted(String),
    #[error("{0} is not a certificate chain (PEM or DER certificates)")]
    NotAChain(String),
}

/// Why a request could not be built or got no timestamp response; the messages are the
/// encoder's or the HTTP client's own.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("{0}")]
    Encode(#[from] der::Error),
    #[cfg(feature = "gui")]
    #[error("{source}")]
    Http { url: String, source: reqwest::Error },
    #[error("not a timestamp response ({source}; {len} bytes)")]
    NotAResponse {
        url: String,
        source: der::Error,
        len: usize,
    },
}

/// A token that checked out.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedStamp {
    pub time: DateTime<Utc>,
    /// The signing certificate's common name, and the trusted root it chains to.
    pub signer: String,
    pub root: String,
    pub hash: &'static str,
}

/// A DER `TimeStampReq` for `data`: SHA-256 imprint, a nonce, and the certificate chain
/// asked for (so the token can be checked offline later).
pub fn request(data: &[u8], nonce: u64) -> Result<Vec<u8>, RequestError> {
    let digest = sha2::Sha256::digest(data);
    let req = TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: spki::AlgorithmIdentifier {
                oid: SHA256,
                parameters: Some(der::Any::null()),
            },
            hashed_message: OctetString::new(digest.to_vec())?,
        },
        req_policy: None,
        nonce: Some(positive_int(nonce)?),
        cert_req: true,
        extensions: None,
    };
    Ok(req.to_der()?)
}

/// A positive INTEGER with minimal DER content (a leading zero only before a high bit).
fn positive_int(v: u64) -> Result<der::asn1::Int, der::Error> {
    let bytes = v.to_be_bytes();
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(7);
    let mut content = bytes[first..].to_vec();
    if content[0] & 0x80 != 0 {
        content.insert(0, 0);
    }
    der::asn1::Int::new(&content)
}

/// A name's DER from a trust anchor's subject (the anchor keeps only the SEQUENCE's
/// contents).
fn anchor_name(contents: &[u8]) -> Option<x509_cert::name::Name> {
    let mut der = vec![0x30];
    let len = contents.len();
    if len < 0x80 {
        der.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        der.push(0x80 | bytes.len() as u8);
        der.extend(bytes);
    }
    der.extend_from_slice(contents);
    x509_cert::name::Name::from_der(&der).ok()
}

/// The token in `bytes` (a `TimeStampResp`, or the bare token).
fn token(bytes: &[u8]) -> Result<ContentInfo, StampError> {
    if let Ok(resp) = TimeStampResp::from_der(bytes) {
        let status = resp.status.status as u8;
        if status > 1 {
            return Err(StampError::Refused(status));
        }
        return resp
            .time_stamp_token
            .ok_or_else(|| StampError::NotAToken("a response without a token".into()));
    }
    ContentInfo::from_der(bytes)
        .map_err(|_| not_token("the bytes are not a DER structure of that kind"))
}

fn digest(oid: ObjectIdentifier, data: &[u8]) -> Result<(Vec<u8>, &'static str), StampError> {
    Ok(match oid {
        SHA256 => (sha2::Sha256::digest(data).to_vec(), "SHA-256"),
        SHA384 => (sha2::Sha384::digest(data).to_vec(), "SHA-384"),
        SHA512 => (sha2::Sha512::digest(data).to_vec(), "SHA-512"),
        other => return Err(StampError::UnsupportedHash(other.to_string())),
    })
}

/// The verification algorithms a CMS signature algorithm (with its digest) may be.
fn algorithms(
    signature: ObjectIdentifier,
    digest: ObjectIdentifier,
) -> Vec<&'static dyn SignatureVerificationAlgorithm> {
    use webpki::ring::*;
    let rsa = |d| match d {
        SHA256 => vec![
            RSA_PKCS1_2048_8192_SHA256,
            RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
        ],
        SHA384 => vec![
            RSA_PKCS1_2048_8192_SHA384,
            RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
        ],
        SHA512 => vec![
            RSA_PKCS1_2048_8192_SHA512,
            RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
        ],
        _ => vec![],
    };
    match signature {
        RSA_ENCRYPTION => rsa(digest),
        SHA256_RSA => rsa(SHA256),
        SHA384_RSA => rsa(SHA384),
        SHA512_RSA => rsa(SHA512),
        RSA_PSS => vec![
            RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
            RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
            RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
        ],
        ECDSA_SHA256 => vec![ECDSA_P256_SHA256, ECDSA_P384_SHA256],
        ECDSA_SHA384 => vec![ECDSA_P384_SHA384, ECDSA_P256_SHA384],
        _ => vec![],
    }
}

/// A name's common name (else the whole name).
fn common_name(name: &x509_cert::name::Name) -> String {
    for rdn in name.0.iter() {
        for atv in rdn.0.iter() {
            if atv.oid == COMMON_NAME
                && let Ok(s) = der::asn1::Utf8StringRef::try_from(&atv.value)
                    .map(|s| s.as_str().to_owned())
                    .or_else(|_| {
                        der::asn1::PrintableStringRef::try_from(&atv.value)
                            .map(|s| s.as_str().to_owned())
                    })
            {
                return s;
            }
        }
    }
    name.to_string()
}

/// What a token stamps: its message imprint.
#[derive(Debug, Clone, PartialEq)]
pub struct Imprint {
    algorithm: ObjectIdentifier,
    pub digest: Vec<u8>,
}

impl Imprint {
    /// Whether the token stamps exactly `data`.
    pub fn covers(&self, data: &[u8]) -> bool {
        digest(self.algorithm, data).is_ok_and(|(d, _)| d == self.digest)
    }
}

/// The signed data of `bytes` (a token or a response), its encapsulated content (what
/// the signature covers) and the TSTInfo read from it.
fn signed_info(bytes: &[u8]) -> Result<(SignedData, OctetString, TstInfo), StampError> {
    let signed: SignedData = token(bytes)?
        .content
        .decode_as()
        .map_err(|_| not_token("no signed data"))?;
    let content = signed
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or_else(|| not_token("no TSTInfo"))?
        .decode_as::<OctetString>()
        .map_err(|_| not_token("its content is not a TSTInfo"))?;
    let info =
        TstInfo::from_der(content.as_bytes()).map_err(|_| not_token("unreadable TSTInfo"))?;
    Ok((signed, content, info))
}

/// The imprint of `bytes` (a token or a response), without checking anything else.
pub fn imprint(bytes: &[u8]) -> Result<Imprint, StampError> {
    let (_, _, info) = signed_info(bytes)?;
    Ok(Imprint {
        algorithm: info.message_imprint.hash_algorithm.oid,
        digest: info.message_imprint.hashed_message.as_bytes().to_vec(),
    })
}

/// Checks `bytes` (a token or a response) stamps `data`, with trust anchors `roots`
/// (use [`shipped_roots`]).
pub fn verify(
    bytes: &[u8],
    data: &[u8],
    roots: &[TrustAnchor<'_>],
) -> Result<VerifiedStamp, StampError> {
    verify_at(bytes, data, &[], roots, None)
}

/// As [`verify`], with `chain` (DER certificates, see [`read_chain`]) offered beside
/// the token's own: a token that carries no certificates needs the authority's. With
/// `at`, the chain is checked at that time instead of the stamp's own (tests show what
/// "valid at the stamp's time" changes).
pub fn verify_at(
    bytes: &[u8],
    data: &[u8],
    chain: &[Vec<u8>],
    roots: &[TrustAnchor<'_>],
    at: Option<DateTime<Utc>>,
) -> Result<VerifiedStamp, StampError> {
    let (signed, content, info) = signed_info(bytes)?;
    let (expected, hash) = digest(info.message_imprint.hash_algorithm.oid, data)?;
    if info.message_imprint.hashed_message.as_bytes() != expected.as_slice() {
        return Err(StampError::OtherData);
    }
    let time: DateTime<Utc> = info.gen_time.to_system_time().into();
    let signer = signed
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or_else(|| not_token("no signer"))?;
    let signed_bytes = signed_attributes(signer, content.as_bytes())?;

    let mut certificates = token_certificates(&signed);
    for der in chain {
        if let Ok(c) = x509_cert::Certificate::from_der(der)
            && !certificates.contains(&c)
        {
            certificates.push(c);
        }
    }
    if certificates.is_empty() {
        return Err(StampError::NeedsChain);
    }
    let (cert, der) = signing_certificate(signer, &signed_bytes, &certificates)?;
    let signer_name = common_name(&cert.tbs_certificate.subject);
    if !for_time_stamping(&cert) {
        return Err(StampError::NotForTimeStamping(signer_name));
    }
    let others: Vec<Vec<u8>> = certificates
        .iter()
        .filter(|c| **c != cert)
        .filter_map(|c| c.to_der().ok())
        .collect();
    let root = chain_root(&der, &others, roots, at.unwrap_or(time))?;
    Ok(VerifiedStamp {
        time,
        signer: signer_name,
        root,
        hash,
    })
}

fn not_token(why: &str) -> StampError {
    StampError::NotAToken(why.into())
}

/// The DER the signature covers (the signed attributes), once their `messageDigest`
/// is checked against the TSTInfo.
fn signed_attributes(signer: &SignerInfo, content: &[u8]) -> Result<Vec<u8>, StampError> {
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or(StampError::AttributesMismatch)?;
    let (content_digest, _) = digest(signer.digest_alg.oid, content)?;
    let attested = attrs
        .iter()
        .find(|a| a.oid == MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or(StampError::AttributesMismatch)?;
    if attested.as_bytes() != content_digest.as_slice() {
        return Err(StampError::AttributesMismatch);
    }
    attrs
        .to_der()
        .map_err(|_| not_token("unreadable signed attributes"))
}

fn token_certificates(signed: &SignedData) -> Vec<x509_cert::Certificate> {
    signed
        .certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .filter_map(|c| match c {
                    cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The certificate whose key made the signature (among those the signer info names).
fn signing_certificate(
    signer: &SignerInfo,
    signed_bytes: &[u8],
    certificates: &[x509_cert::Certificate],
) -> Result<(x509_cert::Certificate, Vec<u8>), StampError> {
    let named = |c: &x509_cert::Certificate| match &signer.sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            c.tbs_certificate.issuer == ias.issuer
                && c.tbs_certificate.serial_number == ias.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(_) => true,
    };
    let candidates = algorithms(signer.signature_algorithm.oid, signer.digest_alg.oid);
    let mut any_named = false;
    for cert in certificates.iter().filter(|c| named(c)) {
        any_named = true;
        let Ok(der) = cert.to_der() else { continue };
        let cert_der = CertificateDer::from(der.as_slice());
        let Ok(ee) = webpki::EndEntityCert::try_from(&cert_der) else {
            continue;
        };
        let ok = candidates.iter().any(|alg| {
            ee.verify_signature(*alg, signed_bytes, signer.signature.as_bytes())
                .is_ok()
        });
        if ok {
            return Ok((cert.clone(), der));
        }
    }
    if any_named {
        Err(StampError::BadSignature)
    } else {
        Err(StampError::SignerNotGiven(certificates.len()))
    }
}

/// Whether the TSA's own certificate carries the time-stamping key purpose (RFC 3161
/// §2.3 asks it of this certificate, not of the CAs above it).
fn for_time_stamping(cert: &x509_cert::Certificate) -> bool {
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id == EXTENDED_KEY_USAGE)
        .filter_map(|e| {
            x509_cert::ext::pkix::ExtendedKeyUsage::from_der(e.extn_value.as_bytes()).ok()
        })
        .any(|eku| eku.0.contains(&TIME_STAMPING))
}

/// Chain building accepts any key purposes on the CAs: only the TSA's certificate is
/// held to time-stamping, checked by [`for_time_stamping`].
struct AnyPurpose;

impl webpki::ExtendedKeyUsageValidator for AnyPurpose {
    fn validate(&self, iter: webpki::KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        for id in iter {
            id?;
        }
        Ok(())
    }
}

/// The trusted root `der` (the TSA's certificate) chains to through `others`, checked
/// at `at`; its common name.
fn chain_root(
    der: &[u8],
    others: &[Vec<u8>],
    roots: &[TrustAnchor<'_>],
    at: DateTime<Utc>,
) -> Result<String, StampError> {
    let intermediates: Vec<CertificateDer<'_>> = others
        .iter()
        .map(|d| CertificateDer::from(d.as_slice()))
        .collect();
    let cert_der = CertificateDer::from(der);
    let ee = webpki::EndEntityCert::try_from(&cert_der)
        .map_err(|e| StampError::Untrusted(trust_error(&e)))?;
    let seconds = u64::try_from(at.timestamp()).unwrap_or(0);
    let path = ee
        .verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            roots,
            &intermediates,
            UnixTime::since_unix_epoch(Duration::from_secs(seconds)),
            AnyPurpose,
            None,
            None,
        )
        .map_err(|e| StampError::Untrusted(trust_error(&e)))?;
    Ok(anchor_name(path.anchor().subject.as_ref())
        .map(|n| common_name(&n))
        .unwrap_or_else(|| "a shipped root".into()))
}

/// webpki's reasons in words (its own are debug structures).
fn trust_error(e: &webpki::Error) -> String {
    use webpki::Error as E;
    match e {
        E::UnknownIssuer => {
            "it does not chain to a root shipped with geoproof (self-signed or private authority)"
        }
        E::CertExpired { .. } => "a certificate had expired at that time",
        E::CertNotValidYet { .. } => "a certificate was not yet valid at that time",
        E::InvalidSignatureForPublicKey => "a certificate is not signed by its issuer",
        E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            "a certificate uses a signature algorithm geoproof cannot check"
        }
        E::CaUsedAsEndEntity => "the authority's certificate is a CA certificate",
        E::EndEntityUsedAsCa => "a certificate that is not a CA issued another",
        E::PathLenConstraintViolated | E::NameConstraintViolation => {
            "the chain breaks a constraint set by one of its CAs"
        }
        E::BadDer | E::BadDerTime | E::TrailingData(_) => "a certificate is not valid DER",
        E::MaximumPathDepthExceeded
        | E::MaximumPathBuildCallsExceeded
        | E::MaximumSignatureChecksExceeded => "the chain is too long or too tangled to check",
        _ => "the certificate chain does not verify",
    }
    .into()
}

/// The certificates in a chain file: PEM (any number of `CERTIFICATE` blocks) or one
/// DER certificate; `name` says which file in the error.
pub fn read_chain(bytes: &[u8], name: &str) -> Result<Vec<Vec<u8>>, StampError> {
    use base64::Engine as _;
    let fail = || StampError::NotAChain(name.to_owned());
    if x509_cert::Certificate::from_der(bytes).is_ok() {
        return Ok(vec![bytes.to_vec()]);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| fail())?;
    let mut certs = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let body = &rest[start + "-----BEGIN CERTIFICATE-----".len()..];
        let end = body.find("-----END CERTIFICATE-----").ok_or_else(fail)?;
        let b64: String = body[..end].split_whitespace().collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| fail())?;
        x509_cert::Certificate::from_der(&der).map_err(|_| fail())?;
        certs.push(der);
        rest = &body[end..];
    }
    if certs.is_empty() {
        return Err(fail());
    }
    Ok(certs)
}

/// The certificates a token (or response) carries, as PEM, for people and other tools.
pub fn certificates_pem(bytes: &[u8]) -> String {
    let Ok(signed) = token(bytes).and_then(|t| {
        t.content
            .decode_as::<SignedData>()
            .map_err(|_| not_token("no signed data"))
    }) else {
        return String::new();
    };
    let ders: Vec<Vec<u8>> = token_certificates(&signed)
        .iter()
        .filter_map(|c| c.to_der().ok())
        .collect();
    pem(&ders)
}

/// DER certificates as PEM.
pub fn pem(certificates: &[Vec<u8>]) -> String {
    use base64::Engine as _;
    let mut pem = String::new();
    for der in certificates {
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        pem.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(line));
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
    }
    pem
}

/// Posts a DER request to a timestamp authority (15 s limit) and returns its answer.
/// Only with the `gui` feature, which links the HTTP client.
#[cfg(feature = "gui")]
pub fn send(url: &str, request: &[u8]) -> Result<Vec<u8>, RequestError> {
    let http = |source| RequestError::Http {
        url: url.to_owned(),
        source,
    };
    // reqwest is built without a bundled crypto provider; ring is already linked.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(15))
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("geoproof/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(http)?;
    let response = client
        .post(url)
        .header("Content-Type", "application/timestamp-query")
        .body(request.to_vec())
        .send()
        .and_then(|r| r.error_for_status())
        .map_err(http)?;
    let bytes = response.bytes().map_err(http)?.to_vec();
    // Answer bytes that are not a response are kept out: say what came back instead.
    match TimeStampResp::from_der(&bytes) {
        Ok(_) => Ok(bytes),
        Err(source) => Err(RequestError::NotAResponse {
            url: url.to_owned(),
            source,
            len: bytes.len(),
        }),
    }
}

/// The roots geoproof trusts for timestamps: Mozilla's store, compiled in.
pub fn shipped_roots() -> &'static [TrustAnchor<'static>] {
    webpki_roots::TLS_SERVER_ROOTS
}
