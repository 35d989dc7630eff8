//! The engine over TCP with TLS, the alternative to mounting the socket
//! into Berth's container: `stunnel` stands in for a dockerd started with
//! `--tlsverify` (a TLS endpoint that demands a client certificate signed
//! by its CA, in front of the real engine; the shared engine here is not
//! ours to reconfigure), and `berth doctor --labs`
//! reaches the engine through it with DOCKER_HOST, DOCKER_TLS_VERIFY and
//! DOCKER_CERT_PATH, as the docker CLI would. A certificate from another
//! CA, or no TLS at all, gets nowhere.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA in `dir` (`ca.pem`, `ca-key.pem`), and a certificate it signs for
/// `name` (`name.pem`, `name-key.pem`) with these extensions.
fn ca(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=test CA",
            "-keyout",
            "ca-key.pem",
            "-out",
            "ca.pem",
        ],
    );
}

fn signed(dir: &Path, name: &str, extensions: &str) {
    std::fs::write(dir.join(format!("{name}.ext")), extensions).unwrap();
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            &format!("/CN={name}"),
            "-keyout",
            &format!("{name}-key.pem"),
            "-out",
            &format!("{name}.csr"),
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            &format!("{name}.ext"),
            "-out",
            &format!("{name}.pem"),
        ],
    );
}

/// A client's certificate folder as the docker CLI reads it.
fn client_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for (source, target) in [
        ("ca.pem", "ca.pem"),
        ("client.pem", "cert.pem"),
        ("client-key.pem", "key.pem"),
    ] {
        std::fs::copy(from.join(source), to.join(target)).unwrap();
    }
}

struct Endpoint(Child);

impl Drop for Endpoint {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// TLS on a free loopback port, demanding a client certificate from the
/// CA in `server`, in front of the local engine's socket.
fn endpoint(server: &Path) -> (Endpoint, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = server.join("stunnel.conf");
    let dir = server.display();
    std::fs::write(
        &config,
        format!(
            "foreground = yes\npid =\n[docker]\naccept = 127.0.0.1:{port}\nconnect = /var/run/docker.sock\n\
             cert = {dir}/server.pem\nkey = {dir}/server-key.pem\nCAfile = {dir}/ca.pem\n\
             verifyChain = yes\nrequireCert = yes\n"
        ),
    )
    .unwrap();
    let child = Command::new("stunnel")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("stunnel (apt-get install stunnel4)");
    let endpoint = Endpoint(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "stunnel never listened");
        std::thread::sleep(Duration::from_millis(50));
    }
    (endpoint, port)
}

/// The engine row of `berth doctor --labs` under these variables.
fn engine_row(env: &[(&str, String)]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(["doctor", "--labs"])
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_TLS_VERIFY")
        .env_remove("DOCKER_CERT_PATH")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find(|l| l.contains("Docker engine"))
        .unwrap_or_else(|| panic!("no engine row: {text}{}", String::from_utf8_lossy(&out.stderr)))
        .to_string()
}

/// In `dir`: the engine's CA and certificate (`server/`), a client
/// certificate folder it trusts (`good/`) and one from another CA that
/// trusts the engine (`bad/`).
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let server = dir.join("server");
    std::fs::create_dir(&server).unwrap();
    ca(&server);
    signed(
        &server,
        "server",
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    );
    signed(&server, "client", "extendedKeyUsage=clientAuth\n");
    let good = dir.join("good");
    client_dir(&server, &good);
    // Another CA's client certificate, with the engine's CA to trust.
    let rogue = dir.join("rogue-ca");
    std::fs::create_dir(&rogue).unwrap();
    ca(&rogue);
    signed(&rogue, "client", "extendedKeyUsage=clientAuth\n");
    let bad = dir.join("bad");
    client_dir(&rogue, &bad);
    std::fs::copy(server.join("ca.pem"), bad.join("ca.pem")).unwrap();
    (server, good, bad)
}

#[test]
fn labs_reach_an_engine_over_tls_with_a_client_certificate_and_only_with_one() {
    let dir = tempfile::tempdir().unwrap();
    let (server, good, bad) = certificates(dir.path());
    let (_endpoint, port) = endpoint(&server);
    let host = format!("tcp://127.0.0.1:{port}");
    let tls = |certs: &Path| {
        vec![
            ("DOCKER_HOST", host.clone()),
            ("DOCKER_TLS_VERIFY", "1".to_string()),
            ("DOCKER_CERT_PATH", certs.display().to_string()),
        ]
    };

    let row = engine_row(&tls(&good));
    assert!(row.starts_with('✓') && row.contains("API 1."), "{row}");
    let row = engine_row(&tls(&bad));
    assert!(row.starts_with('✗'), "a certificate from another CA got through: {row}");
    let row = engine_row(&[("DOCKER_HOST", host.clone())]);
    assert!(row.starts_with('✗'), "plain TCP got through: {row}");
}

/// `berth hosts add` reaches a `tcp://` lab host through the client
/// certificate in `--tls-dir`, and lists it only if the engine accepts it.
#[test]
fn a_lab_host_over_tls_is_listed_only_with_a_client_certificate_it_trusts() {
    let dir = tempfile::tempdir().unwrap();
    let (server, good, bad) = certificates(dir.path());
    let (_endpoint, port) = endpoint(&server);
    let database = format!("sqlite://{}", dir.path().join("berth.db").display());
    let add = |name: &str, certs: &Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_berth"))
            .args(["hosts", "add", name, &format!("tcp://127.0.0.1:{port}"), "--tls-dir"])
            .arg(certs)
            .args(["--database-url", &database])
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    let (ok, text) = add("rogue", &bad);
    assert!(!ok && text.contains("does not answer"), "{text}");
    let (ok, text) = add("lab2", &good);
    assert!(ok && text.contains("lab2: Docker"), "{text}");
    let list = Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(["hosts", "list", "--database-url", &database])
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(list.contains("lab2  active") && !list.contains("rogue"), "{list}");
}
