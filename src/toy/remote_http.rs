//! Lovense Remote's `/command` over HTTP(S) with reqwest and rustls: the
//! one `Poster` that talks to a real app. Certificates are verified by
//! reqwest's platform verifier (the system's roots, `SSL_CERT_FILE`
//! honoured on Linux), or against given roots (the tests' CA).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::remote::Poster;
use super::remote_api::RemoteError;

/// The app over HTTP(S) with reqwest.
pub struct HttpPoster {
    client: reqwest::Client,
    url: String,
}

/// A request that takes longer than this has failed.
pub const POST_TIMEOUT: Duration = Duration::from_millis(1_500);

impl HttpPoster {
    /// `base` is `https://host:port` (certificates verified against the
    /// system's roots; Lovense Remote's `*.lovense.club` names carry public
    /// ones), `http://host:port`, or a bare `host:port` meaning HTTPS.
    pub fn new(base: &str) -> Result<HttpPoster, RemoteError> {
        HttpPoster::build(base, reqwest::Client::builder())
    }

    /// Trusting only the certificates in `pem` (the tests' self-signed one).
    pub fn with_roots(base: &str, pem: &[u8]) -> Result<HttpPoster, RemoteError> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let bad = |e: String| RemoteError::Unreachable(format!("{base} ({e})"));
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(pem) {
            roots
                .add(cert.map_err(|e| bad(e.to_string()))?)
                .map_err(|e| bad(e.to_string()))?;
        }
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| bad(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        HttpPoster::build(
            base,
            reqwest::Client::builder().tls_backend_preconfigured(tls),
        )
    }

    fn build(base: &str, builder: reqwest::ClientBuilder) -> Result<HttpPoster, RemoteError> {
        let base = if base.contains("://") {
            base.trim_end_matches('/').to_owned()
        } else {
            format!("https://{}", base.trim_end_matches('/'))
        };
        let client = builder
            .timeout(POST_TIMEOUT)
            .build()
            .map_err(|e| RemoteError::Unreachable(format!("{base} ({e})")))?;
        Ok(HttpPoster {
            client,
            url: format!("{base}/command"),
        })
    }
}

#[async_trait]
impl Poster for HttpPoster {
    async fn post(&self, body: String) -> Result<String, RemoteError> {
        let sent = self
            .client
            .post(&self.url)
            .header("X-platform", "cuedeck")
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    RemoteError::Timeout
                } else {
                    RemoteError::Unreachable(format!("{} ({})", self.url, causes(&e)))
                }
            })?;
        sent.text()
            .await
            .map_err(|e| RemoteError::BadAnswer(e.to_string()))
    }
}

/// An error with its causes (`error sending request: ... invalid peer
/// certificate: UnknownIssuer`), so the message says what actually failed.
fn causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}
