//! Trusting a test CA for Lovense Remote's HTTPS with `SSL_CERT_FILE`, as
//! a user would (`cuedeck toy scan --remote`): reqwest verifies with
//! rustls-platform-verifier, whose Linux roots come from
//! rustls-native-certs, which reads `SSL_CERT_FILE`. Against the loopback
//! HTTPS app of `remote`, with the certificate the test CA signed.

use std::process::Output;

use super::remote::https_app;

const CA_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/toy/fixtures/test-ca.pem"
);
const LEAF_ONLY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/toy/fixtures/localhost-cert.pem"
);

async fn scan(port: u16, cert_file: Option<&'static str>) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_cuedeck"));
        cmd.args(["toy", "scan", "--remote", &format!("localhost:{port}")]);
        cmd.env_remove("SSL_CERT_FILE").env_remove("SSL_CERT_DIR");
        if let Some(file) = cert_file {
            cmd.env("SSL_CERT_FILE", file);
        }
        cmd.output().unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssl_cert_file_trusts_a_test_ca_and_nothing_else_does() {
    let port = https_app().await.port();
    let trusted = scan(port, Some(CA_FILE)).await;
    let stdout = String::from_utf8_lossy(&trusted.stdout);
    assert!(
        trusted.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&trusted.stderr)
    );
    assert!(stdout.contains("f082c00246fa"), "the app's toys: {stdout}");
    // Without it the system's roots do not know the test CA.
    let untrusted = scan(port, None).await;
    let stderr = String::from_utf8_lossy(&untrusted.stderr);
    assert_eq!(untrusted.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("UnknownIssuer"), "{stderr}");
    // A bundle without the CA (the leaf alone) does not do either.
    let wrong = scan(port, Some(LEAF_ONLY)).await;
    assert_eq!(
        wrong.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
}
