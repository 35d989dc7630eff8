//! A throwaway PostgreSQL cluster for the test run, from the server
//! binaries Debian's `postgresql` package installs. Tests create one fresh
//! database each inside it; the cluster is removed when the run ends.

use anyhow::{Context, Result};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{run, step};

pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres_user: bool,
}

impl Cluster {
    pub fn start(root: &Path) -> Result<Self> {
        let bin = find_bin_dir().context(
            "PostgreSQL's server programs were not found under /usr/lib/postgresql; \
             install them (Debian: apt-get install postgresql) or set BERTH_TEST_POSTGRES_URL",
        )?;
        // PostgreSQL refuses to run as root; then it runs as the `postgres`
        // user, in a folder that user can reach.
        let as_postgres_user = is_root();
        let dir = if as_postgres_user {
            std::env::temp_dir().join(format!("berth-test-postgres-{}", std::process::id()))
        } else {
            root.join("target/test-postgres")
        };
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        if as_postgres_user {
            run(Command::new("chown").args(["postgres:postgres"]).arg(&dir))?;
        }
        let port = free_port()?;
        let cluster = Self {
            bin,
            dir,
            port,
            as_postgres_user,
        };
        step(&format!("starting a private PostgreSQL on 127.0.0.1:{port}"));
        let data = cluster.dir.join("data");
        run(cluster
            .command("initdb")
            .args([
                "--auth=trust",
                "--username=berth",
                "--encoding=UTF8",
                "--no-instructions",
                "-D",
            ])
            .arg(&data)
            .stdout(std::process::Stdio::null()))?;
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off -c max_connections=200",
            cluster.dir.display()
        );
        run(cluster
            .command("pg_ctl")
            .args(["start", "--wait", "--silent", "-D"])
            .arg(&data)
            .args(["-l"])
            .arg(cluster.dir.join("postgres.log"))
            .args(["-o", &options]))?;
        Ok(cluster)
    }

    /// An administrator URL; tests create their own databases with it.
    pub fn url(&self) -> String {
        format!("postgres://berth@127.0.0.1:{}/postgres", self.port)
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["stop", "--silent", "-m", "fast", "-D"])
            .arg(self.dir.join("data"))
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn find_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn is_root() -> bool {
    match Command::new("id").arg("-u").output() {
        Ok(out) => String::from_utf8_lossy(&out.stdout).trim() == "0",
        Err(_) => false,
    }
}
