//! HTTPS for the server (`mock-aws --tls`): rustls with the `ring` provider; a self-signed
//! certificate for `localhost` and `127.0.0.1` made at start unless one is given.

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

/// The acceptor for `--tls`, printing `tls certificate: PATH` for a generated certificate.
pub fn acceptor(cert: Option<&Path>, key: Option<&Path>) -> anyhow::Result<TlsAcceptor> {
    let (chain, key) = match (cert, key) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .with_context(|| format!("reading {}", cert.display()))?
                .collect::<Result<Vec<_>, _>>()
                .with_context(|| format!("parsing {}", cert.display()))?;
            let key = PrivateKeyDer::from_pem_file(key)
                .with_context(|| format!("reading {}", key.display()))?;
            (chain, key)
        }
        _ => {
            let generated = rcgen::generate_simple_self_signed(vec![
                "localhost".to_owned(),
                "127.0.0.1".to_owned(),
            ])
            .context("generating a self-signed certificate")?;
            let path =
                std::env::temp_dir().join(format!("mock-aws-{}-cert.pem", std::process::id()));
            std::fs::write(&path, generated.cert.pem())
                .with_context(|| format!("writing {}", path.display()))?;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "tls certificate: {}", path.display());
            let _ = out.flush();
            let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                generated.signing_key.serialize_der(),
            ));
            (vec![generated.cert.der().clone()], key)
        }
    };
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .context("TLS protocol versions")?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .context("the certificate and key do not make a TLS server")?;
    // HTTP/2 first, as servers offer it (RFC 7301; RFC 9113 section 3.2); HTTP/1.1 for the rest.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
