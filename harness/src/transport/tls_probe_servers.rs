//! The probe against real TLS servers this machine has: OpenSSL's s_server and GnuTLS's
//! gnutls-serv (Debian packages openssl and gnutls-bin, installed by scripts/setup).

use super::*;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A server started for one test, killed on drop, with its scratch folder removed.
struct Server {
    child: std::process::Child,
    dir: PathBuf,
}

impl Server {
    /// Starts `program args` in `dir` and waits until `addr` takes connections.
    fn start(dir: &Path, program: &str, args: &[&str], addr: SocketAddr) -> Server {
        let child = Command::new(program)
            .current_dir(dir)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{program}: {e} (installed by scripts/setup)"));
        let server = Server {
            child,
            dir: dir.to_path_buf(),
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(addr).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "{program} did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// GnuTLS's server with the RSA certificate of `scratch` and the given priority string.
fn gnutls(dir: &Path, addr: SocketAddr, priority: &str) -> Server {
    let port = addr.port().to_string();
    let args = [
        "--port",
        &port,
        "--x509certfile",
        "rsa.pem",
        "--x509keyfile",
        "rsa.key",
    ];
    Server::start(
        dir,
        "gnutls-serv",
        &[&args[..], &["--priority", priority]].concat(),
        addr,
    )
}

/// A scratch folder holding a self-signed certificate for each `-newkey` argument given
/// (`rsa:1024`, `ec`), as `<name>.pem` and `<name>.key`, and a free loopback address.
fn scratch(tag: &str, keys: &[(&str, &[&str])]) -> (PathBuf, SocketAddr) {
    let dir = std::env::temp_dir().join(format!("hilt-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, newkey) in keys {
        let (key, pem) = (format!("{name}.key"), format!("{name}.pem"));
        let mut args = vec!["req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=unit"];
        args.extend_from_slice(newkey);
        args.extend(["-keyout", &key, "-out", &pem]);
        let out = Command::new("openssl")
            .current_dir(&dir)
            .args(&args)
            .output()
            .expect("openssl (installed by scripts/setup)");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    (dir, ([127, 0, 0, 1], port).into())
}

/// OpenSSL's own server with an RSA and an ECDSA certificate shows one or the other as the
/// client's signature algorithms ask: both keys are found, whichever it prefers.
#[test]
fn both_certificates_of_a_dual_certificate_server_are_found() {
    let (dir, addr) = scratch(
        "dualcert",
        &[
            ("rsa", &["-newkey", "rsa:1024"]),
            (
                "ec",
                &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            ),
        ],
    );
    let accept = addr.to_string();
    let _server = Server::start(
        &dir,
        "openssl",
        &[
            "s_server",
            "-accept",
            &accept,
            "-www",
            "-quiet",
            "-cert",
            "rsa.pem",
            "-key",
            "rsa.key",
            "-dcert",
            "ec.pem",
            "-dkey",
            "ec.key",
            "-cipher",
            "DEFAULT:@SECLEVEL=0",
        ],
        addr,
    );
    let inv = probe_blocking(addr, &Stop::within(WHOLE_PROBE)).unwrap();
    let keys: Vec<(&str, u32)> = inv
        .certificates
        .iter()
        .map(|c| (c.kind.as_str(), c.bits))
        .collect();
    assert!(keys.contains(&("RSA", 1024)), "{keys:?}");
    assert!(keys.contains(&("EC", 256)), "{keys:?}");
    assert_eq!(keys.len(), 2, "{keys:?}");
}

/// GnuTLS still serves RC4 and 3DES when its priority string asks: the system OpenSSL
/// cannot offer them, hilt's own ClientHello finds them, under each version.
#[test]
fn rc4_and_3des_are_found_at_a_gnutls_server_that_offers_them() {
    let (dir, addr) = scratch("gnutls", &[("rsa", &["-newkey", "rsa:2048"])]);
    let _server = gnutls(
        &dir,
        addr,
        "NORMAL:+3DES-CBC:+ARCFOUR-128:+VERS-TLS1.0:+VERS-TLS1.1:+RSA",
    );
    let inv = probe_blocking(addr, &Stop::within(WHOLE_PROBE)).unwrap();
    let under = |v: TlsVersion| {
        inv.accepted
            .iter()
            .find(|(a, _)| *a == v)
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    };
    for v in [TlsVersion::Tls10, TlsVersion::Tls12] {
        let suites = under(v);
        assert!(suites.iter().any(|s| s.contains("RC4")), "{v}: {suites:?}");
        assert!(
            suites.iter().any(|s| s.contains("DES-CBC3")),
            "{v}: {suites:?}"
        );
    }
    assert!(
        inv.ssl3.is_empty(),
        "GnuTLS 3.7 has no SSL 3.0: {:?}",
        inv.ssl3
    );
}

/// The unit as a client: a TLS 1.0 session it opens is read back from a real capture with the
/// server name it asked for and the version the server chose.
#[test]
fn a_session_the_unit_opens_is_read_back_from_the_capture() {
    if !crate::util::test_dir::is_root() {
        eprintln!("SKIPPED: capturing needs root (CI runs this as root)");
        return;
    }
    let (dir, addr) = scratch("clienttls", &[("rsa", &["-newkey", "rsa:2048"])]);
    let _server = gnutls(&dir, addr, "NORMAL:-VERS-ALL:+VERS-TLS1.0");
    let pcap = dir.join("c.pcap");
    let redactor = std::sync::Arc::new(crate::evidence::Redactor::default());
    let mut capture = crate::transport::capture::Capture::start(
        "lo",
        &format!("tcp port {}", addr.port()),
        &pcap,
        redactor,
        Default::default(),
    )
    .unwrap();
    let client = Command::new("openssl")
        .args(["s_client", "-connect", &addr.to_string(), "-tls1"])
        .args([
            "-cipher",
            "DEFAULT:@SECLEVEL=0",
            "-servername",
            "cloud.example",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("openssl s_client");
    assert!(
        client.status.success(),
        "{}",
        String::from_utf8_lossy(&client.stdout)
    );
    std::thread::sleep(Duration::from_millis(500));
    capture.stop();
    let traffic = crate::transport::client_tls::read(&pcap, addr.ip()).unwrap();
    let session = traffic
        .tls
        .iter()
        .find(|s| s.server == addr)
        .unwrap_or_else(|| panic!("{traffic:?}"));
    assert_eq!(session.server_name.as_deref(), Some("cloud.example"));
    assert_eq!(session.offered, crate::transport::tls_hello::TLS10);
    let (version, _) = session.chosen.expect("the ServerHello is in the capture");
    assert_eq!(version, crate::transport::tls_hello::TLS10);
    assert!(traffic.clear.is_empty(), "{traffic:?}");
}

/// tlslite-ng, a TLS library in pure Python, still serves SSL 3.0, which no OpenSSL or GnuTLS
/// build on Debian does: hilt's own ClientHello finds the version accepted, with its suites.
#[test]
fn ssl3_is_found_at_a_server_that_still_speaks_it() {
    let (dir, addr) = scratch("ssl3", &[("rsa", &["-newkey", "rsa:2048"])]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ssl3_server.py");
    let port = addr.port().to_string();
    let _server = Server::start(
        &dir,
        "python3",
        &[script.to_str().unwrap(), &port, "rsa.pem", "rsa.key"],
        addr,
    );
    let inv = probe_blocking(addr, &Stop::within(WHOLE_PROBE)).unwrap();
    eprintln!("SSL 3.0 suites accepted: {:?}", inv.ssl3);
    assert!(!inv.ssl3.is_empty(), "SSL 3.0 accepted: {inv:?}");
    assert!(
        inv.ssl3
            .iter()
            .any(|s| s.contains("DES-CBC3") || s.contains("RC4")),
        "{:?}",
        inv.ssl3
    );
    assert!(inv.accepted.is_empty(), "nothing newer: {:?}", inv.accepted);
}
